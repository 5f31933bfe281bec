-- The outbox in push order. A device pushes its oldest unsent changes first and each batch
-- continues from the last one sent; keyed by (hlc, site, seq), the next batch is a walk along
-- the key. Before, every batch joined and sorted the whole outbox, so pushing a large outbox
-- (a first sync, a long time offline, a big bundle imported) took time quadratic in its size.
-- An acknowledgement names (site, seq): the clock to find it by comes from the log, so no
-- second index is kept (each costs a merge of changes from peers and bundles a B-tree insert).
CREATE TABLE sync_outbox_ordered (
    hlc  INTEGER NOT NULL,
    site BLOB NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (hlc, site, seq)
) WITHOUT ROWID;
INSERT INTO sync_outbox_ordered (hlc, site, seq)
    SELECT c.hlc, o.site, o.seq
    FROM sync_outbox o JOIN change_log c ON c.site = o.site AND c.seq = o.seq;
DROP TABLE sync_outbox;
ALTER TABLE sync_outbox_ordered RENAME TO sync_outbox;
