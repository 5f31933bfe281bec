-- Minutes written together: each edit a record (a Yjs update, base64), and each text's merged
-- state beside its record (src/collab.rs).
CREATE TABLE minutes_edit (
    id         TEXT PRIMARY KEY NOT NULL,
    bucket     TEXT NOT NULL,
    cl         INTEGER NOT NULL DEFAULT 0,
    meeting_id TEXT NOT NULL DEFAULT '',
    author_id  TEXT NOT NULL DEFAULT '',
    edit       TEXT NOT NULL DEFAULT '',
    stamps     BLOB
);
CREATE INDEX minutes_edit_meeting ON minutes_edit (meeting_id);

-- The merged state of a text written together, by the record and column it is the text of.
-- Derived from the edits (never synced): rebuilt by merging them again.
CREATE TABLE text_doc (
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    col    TEXT NOT NULL,
    state  BLOB NOT NULL,
    PRIMARY KEY (tbl, row_id, col)
) WITHOUT ROWID;

-- The people a meeting's leaders name to write its minutes (one record per meeting and person).
CREATE TABLE minute_taker (
    id         TEXT PRIMARY KEY NOT NULL,
    bucket     TEXT NOT NULL,
    cl         INTEGER NOT NULL DEFAULT 0,
    meeting_id TEXT NOT NULL DEFAULT '',
    person_id  TEXT NOT NULL DEFAULT '',
    stamps     BLOB
);
CREATE INDEX minute_taker_person ON minute_taker (person_id);
