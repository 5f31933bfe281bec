-- The search index is brought up to date by the merge, once per batch for the rows it touched
-- (src/store/search.rs, reindex), no longer by a trigger per row: the triggers cost a merge
-- as much again as the rows themselves. The index's contents do not change.
DROP TRIGGER IF EXISTS organization_search_insert;
DROP TRIGGER IF EXISTS organization_search_update;
DROP TRIGGER IF EXISTS person_search_insert;
DROP TRIGGER IF EXISTS person_search_update;
DROP TRIGGER IF EXISTS coalition_group_search_insert;
DROP TRIGGER IF EXISTS coalition_group_search_update;
DROP TRIGGER IF EXISTS tracked_issue_search_insert;
DROP TRIGGER IF EXISTS tracked_issue_search_update;
DROP TRIGGER IF EXISTS recommendation_search_insert;
DROP TRIGGER IF EXISTS recommendation_search_update;
DROP TRIGGER IF EXISTS translation_search_insert;
DROP TRIGGER IF EXISTS translation_search_update;
DROP TRIGGER IF EXISTS comment_search_insert;
DROP TRIGGER IF EXISTS comment_search_update;
DROP TRIGGER IF EXISTS meeting_search_insert;
DROP TRIGGER IF EXISTS meeting_search_update;
