-- The first screen's notifications (and My work's "changed by others") read the newest entries
-- along the clock index, keep those of the person's groups not made by the person, and group
-- them by row. With only the clock in the index, each of the window's entries was read from the
-- table for its bucket, table, row and maker: 58–86 ms for a member over the whole coalition's
-- replica (a month is about 20,000 entries). With those columns in the index the scan never
-- leaves it: 9–15 ms. Same name, so `INDEXED BY log_entry_hlc` still names it.
DROP INDEX log_entry_hlc;
CREATE INDEX log_entry_hlc ON log_entry (hlc, bucket, tbl, row_id, actor);
