-- Search that knows the languages: the index searches each record's terms (its words folded,
-- and their stems in the record's language, or in each of the coalition's languages when it
-- has none: src/store/search.rs) and keeps its title and its text as plain text, for showing.
-- The terms are computed in Rust, so the index is built again by the open after the migrations
-- (src/store/upgrade.rs), for as long as `search_to_build` is there.
DROP TABLE IF EXISTS search_title;
DROP TABLE IF EXISTS search_index;
CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED,
    id UNINDEXED,
    target_kind UNINDEXED,
    target_id UNINDEXED,
    title UNINDEXED,
    body UNINDEXED,
    title_terms,
    body_terms,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_title USING fts5(
    title_terms,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE search_to_build (pending INTEGER NOT NULL);
INSERT INTO search_to_build (pending) VALUES (1);
