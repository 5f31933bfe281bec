-- Storage v2: each field's winning stamp is kept beside its row, in `stamps` (the encoding is
-- in store/stamps.rs), instead of a row per field in field_clock keyed by text names. A merge
-- then reads a row's clocks with its causal length and writes them with its values.
--
-- The stamps are packed by the open that follows this migration (store::upgrade), which
-- cannot be written in SQL: it reads the renamed table below, fills every row's stamps and
-- drops the table in one transaction, with progress shown. A kill before it commits leaves
-- the table, and the next open does it again.
ALTER TABLE organization ADD COLUMN stamps BLOB;
ALTER TABLE person ADD COLUMN stamps BLOB;
ALTER TABLE coalition_group ADD COLUMN stamps BLOB;
ALTER TABLE membership ADD COLUMN stamps BLOB;
ALTER TABLE tracked_issue ADD COLUMN stamps BLOB;
ALTER TABLE recommendation ADD COLUMN stamps BLOB;
ALTER TABLE translation ADD COLUMN stamps BLOB;
ALTER TABLE endorsement ADD COLUMN stamps BLOB;
ALTER TABLE comment ADD COLUMN stamps BLOB;
ALTER TABLE meeting ADD COLUMN stamps BLOB;
ALTER TABLE agenda_item ADD COLUMN stamps BLOB;
ALTER TABLE attendance ADD COLUMN stamps BLOB;
ALTER TABLE decision ADD COLUMN stamps BLOB;
ALTER TABLE field_clock RENAME TO field_clock_to_pack;
