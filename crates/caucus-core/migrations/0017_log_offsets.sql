-- Whether the log holds a change, read from an index alone: `offsets` has bit i set when the
-- entry holds the change seq_first + i (an entry spans at most 64 sequence numbers), and the
-- site index now covers it. Before, telling a duplicate from a new change read the entry's
-- fields (JSON, often on overflow pages) and parsed them: a fifth of a first sync's time, since
-- a snapshot's winners arrive out of their sites' order (store::log::Duplicates).
ALTER TABLE log_entry ADD COLUMN offsets INTEGER NOT NULL DEFAULT 0;
UPDATE log_entry SET offsets = (
    SELECT SUM(1 << json_extract(f.value, '$[0]')) FROM json_each(log_entry.fields) AS f
);
DROP INDEX log_entry_site;
CREATE INDEX log_entry_site ON log_entry (site, seq_last, seq_first, offsets);
