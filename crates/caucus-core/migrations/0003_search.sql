-- Full-text search over every record people look for, offline (SQLite FTS5).
-- Derived from the records by triggers, so it follows every write, local or merged, and
-- holds only records that are not archived. Not user data: never synced, never logged.
-- rowid = (kind number << 40) | the record's own rowid, so a record's entry is found directly.

CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED,
    id UNINDEXED,
    target_kind UNINDEXED,
    target_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER organization_search_insert AFTER INSERT ON organization BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (1 << 40) | new.rowid, 'organization', new.id, 'organization', new.id, new.name, new.country || ' ' || new.region || ' ' || new.themes
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER organization_search_update AFTER UPDATE OF cl, name, country, region, themes ON organization
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.name IS NOT new.name OR old.country IS NOT new.country OR old.region IS NOT new.region OR old.themes IS NOT new.themes BEGIN
    DELETE FROM search_index WHERE rowid = (1 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (1 << 40) | new.rowid, 'organization', new.id, 'organization', new.id, new.name, new.country || ' ' || new.region || ' ' || new.themes
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (1 << 40) | rowid, 'organization', id, 'organization', id, name, country || ' ' || region || ' ' || themes
    FROM organization WHERE cl % 2 = 1;

CREATE TRIGGER person_search_insert AFTER INSERT ON person BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (2 << 40) | new.rowid, 'person', new.id, 'person', new.id, new.name, new.email
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER person_search_update AFTER UPDATE OF cl, name, email ON person
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.name IS NOT new.name OR old.email IS NOT new.email BEGIN
    DELETE FROM search_index WHERE rowid = (2 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (2 << 40) | new.rowid, 'person', new.id, 'person', new.id, new.name, new.email
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (2 << 40) | rowid, 'person', id, 'person', id, name, email
    FROM person WHERE cl % 2 = 1;

CREATE TRIGGER coalition_group_search_insert AFTER INSERT ON coalition_group BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (3 << 40) | new.rowid, 'group', new.id, 'group', new.id, new.name, new.mandate
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER coalition_group_search_update AFTER UPDATE OF cl, name, mandate ON coalition_group
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.name IS NOT new.name OR old.mandate IS NOT new.mandate BEGIN
    DELETE FROM search_index WHERE rowid = (3 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (3 << 40) | new.rowid, 'group', new.id, 'group', new.id, new.name, new.mandate
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (3 << 40) | rowid, 'group', id, 'group', id, name, mandate
    FROM coalition_group WHERE cl % 2 = 1;

CREATE TRIGGER tracked_issue_search_insert AFTER INSERT ON tracked_issue BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (4 << 40) | new.rowid, 'tracked_issue', new.id, 'group', new.group_id, new.title, new.description || ' ' || new.labels
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER tracked_issue_search_update AFTER UPDATE OF cl, title, description, labels, group_id ON tracked_issue
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.title IS NOT new.title OR old.description IS NOT new.description OR old.labels IS NOT new.labels OR old.group_id IS NOT new.group_id BEGIN
    DELETE FROM search_index WHERE rowid = (4 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (4 << 40) | new.rowid, 'tracked_issue', new.id, 'group', new.group_id, new.title, new.description || ' ' || new.labels
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (4 << 40) | rowid, 'tracked_issue', id, 'group', group_id, title, description || ' ' || labels
    FROM tracked_issue WHERE cl % 2 = 1;

CREATE TRIGGER recommendation_search_insert AFTER INSERT ON recommendation BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (5 << 40) | new.rowid, 'recommendation', new.id, 'recommendation', new.id, new.title, new.body || ' ' || new.answer
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER recommendation_search_update AFTER UPDATE OF cl, title, body, answer ON recommendation
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.title IS NOT new.title OR old.body IS NOT new.body OR old.answer IS NOT new.answer BEGIN
    DELETE FROM search_index WHERE rowid = (5 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (5 << 40) | new.rowid, 'recommendation', new.id, 'recommendation', new.id, new.title, new.body || ' ' || new.answer
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (5 << 40) | rowid, 'recommendation', id, 'recommendation', id, title, body || ' ' || answer
    FROM recommendation WHERE cl % 2 = 1;

CREATE TRIGGER translation_search_insert AFTER INSERT ON translation BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (6 << 40) | new.rowid, 'translation', new.id, 'recommendation', new.recommendation_id, new.title, new.body
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER translation_search_update AFTER UPDATE OF cl, title, body, recommendation_id ON translation
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.title IS NOT new.title OR old.body IS NOT new.body OR old.recommendation_id IS NOT new.recommendation_id BEGIN
    DELETE FROM search_index WHERE rowid = (6 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (6 << 40) | new.rowid, 'translation', new.id, 'recommendation', new.recommendation_id, new.title, new.body
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (6 << 40) | rowid, 'translation', id, 'recommendation', recommendation_id, title, body
    FROM translation WHERE cl % 2 = 1;

CREATE TRIGGER comment_search_insert AFTER INSERT ON comment BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (7 << 40) | new.rowid, 'comment', new.id, 'recommendation', new.recommendation_id, '', new.body
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER comment_search_update AFTER UPDATE OF cl, body, recommendation_id ON comment
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.body IS NOT new.body OR old.recommendation_id IS NOT new.recommendation_id BEGIN
    DELETE FROM search_index WHERE rowid = (7 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (7 << 40) | new.rowid, 'comment', new.id, 'recommendation', new.recommendation_id, '', new.body
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (7 << 40) | rowid, 'comment', id, 'recommendation', recommendation_id, '', body
    FROM comment WHERE cl % 2 = 1;

CREATE TRIGGER meeting_search_insert AFTER INSERT ON meeting BEGIN
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (8 << 40) | new.rowid, 'meeting', new.id, 'meeting', new.id, new.title, new.place || ' ' || new.minutes
        WHERE new.cl % 2 = 1;
END;
CREATE TRIGGER meeting_search_update AFTER UPDATE OF cl, title, place, minutes ON meeting
    -- Only when an indexed value changed: a merge rewrites cl on every change it applies.
    WHEN old.cl IS NOT new.cl OR old.title IS NOT new.title OR old.place IS NOT new.place OR old.minutes IS NOT new.minutes BEGIN
    DELETE FROM search_index WHERE rowid = (8 << 40) | old.rowid;
    INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
        SELECT (8 << 40) | new.rowid, 'meeting', new.id, 'meeting', new.id, new.title, new.place || ' ' || new.minutes
        WHERE new.cl % 2 = 1;
END;
INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
    SELECT (8 << 40) | rowid, 'meeting', id, 'meeting', id, title, place || ' ' || minutes
    FROM meeting WHERE cl % 2 = 1;
