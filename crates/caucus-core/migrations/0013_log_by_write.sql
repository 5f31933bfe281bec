-- Storage v2: the change log holds one entry per write of a row instead of a row per field
-- (store/log.rs). A field change is still identified by (site, seq), and every one is kept
-- with its value for history and forwarding: an entry is one site's consecutive changes to
-- one row with the same clock, causal length, maker and bucket, the fields as a JSON array
-- of [seq - seq_first, column, value] (and the span's signature as a fourth element on the
-- change that carries one). Sites and makers are interned in log_id, tables, buckets in
-- log_name, the row id is its 16 bytes: the keys a per-field row repeated as text.
--
-- The old log is packed into entries by the open that follows this migration
-- (store::upgrade), in one transaction with progress shown; a kill before it commits leaves
-- change_log_to_pack, and the next open packs it again.

-- Sites and makers (16-byte uuids), interned.
CREATE TABLE log_id (
    no INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE
);

-- Tables and buckets, interned.
CREATE TABLE log_name (
    no   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- An entry never spans more than 64 sequence numbers (store::log::SPAN), so the entry
-- holding (site, seq) is found in the index by seq_last between seq and seq + 63.
CREATE TABLE log_entry (
    site           INTEGER NOT NULL,
    seq_first      INTEGER NOT NULL,
    seq_last       INTEGER NOT NULL,
    hlc            INTEGER NOT NULL,
    actor          INTEGER,
    bucket         INTEGER NOT NULL,
    tbl            INTEGER NOT NULL,
    row_id         BLOB NOT NULL,
    cl             INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    fields         TEXT NOT NULL
);
CREATE INDEX log_entry_site ON log_entry (site, seq_last);
CREATE INDEX log_entry_row ON log_entry (tbl, row_id);
CREATE INDEX log_entry_hlc ON log_entry (hlc);

-- The outbox likewise: a row per log entry with changes the home hub has not yet
-- acknowledged, keyed in push order by the entry's clock, site and first seq; `waiting` has
-- bit i set while the change seq_first + i waits, `pending` counts them. Packed from the
-- per-change outbox by the same upgrade step as the log.
ALTER TABLE sync_outbox RENAME TO sync_outbox_to_pack;
CREATE TABLE sync_outbox (
    hlc       INTEGER NOT NULL,
    site      BLOB NOT NULL,
    seq_first INTEGER NOT NULL,
    waiting   INTEGER NOT NULL,
    pending   INTEGER NOT NULL,
    PRIMARY KEY (hlc, site, seq_first)
) WITHOUT ROWID;

DROP INDEX change_log_row;
DROP INDEX change_log_hlc;
ALTER TABLE change_log RENAME TO change_log_to_pack;

-- The log as it was, a row per field change, for reading by hand and by tests; the app reads
-- the entries themselves (store::log), whose indexes this view cannot use.
CREATE VIEW change_log AS
SELECT s.id AS site,
       e.seq_first + (f.value ->> 0) AS seq,
       e.hlc AS hlc,
       CASE WHEN a.id IS NULL THEN NULL ELSE
           lower(substr(hex(a.id), 1, 8) || '-' || substr(hex(a.id), 9, 4) || '-' ||
                 substr(hex(a.id), 13, 4) || '-' || substr(hex(a.id), 17, 4) || '-' ||
                 substr(hex(a.id), 21, 12)) END AS actor,
       b.name AS bucket,
       t.name AS tbl,
       lower(substr(hex(e.row_id), 1, 8) || '-' || substr(hex(e.row_id), 9, 4) || '-' ||
             substr(hex(e.row_id), 13, 4) || '-' || substr(hex(e.row_id), 17, 4) || '-' ||
             substr(hex(e.row_id), 21, 12)) AS row_id,
       f.value ->> 1 AS col,
       f.value -> 2 AS value,
       e.cl AS cl,
       e.schema_version AS schema_version,
       f.value -> 3 AS signature
FROM log_entry e
JOIN log_id s ON s.no = e.site
LEFT JOIN log_id a ON a.no = e.actor
JOIN log_name b ON b.no = e.bucket
JOIN log_name t ON t.no = e.tbl,
     json_each(e.fields) f;
