-- Titles alone, in an index of their own, for ranking: search ranks title matches first, and
-- over the whole coalition a column filter on search_index (`{title} : …`) read every match's
-- positions, then bm25 read them again (docs/benchmarks.md: 8–12 ms of a common word's
-- search). Contentless: the titles are in search_index; rowids are the same.
CREATE VIRTUAL TABLE search_title USING fts5(
    title,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_title (rowid, title) SELECT rowid, title FROM search_index WHERE title != '';
