-- The lookups of a table's rows by a field's value: whether the hub has a secretariat admin
-- (every push asks), a person's memberships, the steering committee's groups, a meeting's
-- agenda items for its guests. The partial index of 0001 was never used by SQLite: its planner
-- proves a partial index's WHERE only from the query's own terms, and `tbl = 'membership'`
-- does not prove `tbl IN ('person', 'membership', 'coalition_group')`, so each lookup read
-- every field of its table (a scale-1 hub's seeding fell to about 200 changes a second).
-- One index per table, each with a plain equality, is used. (PostgreSQL proves the IN from
-- the equality: its index stays.)
DROP INDEX IF EXISTS hub_field_lookup;
CREATE INDEX hub_field_person ON hub_field (col, value) WHERE tbl = 'person';
CREATE INDEX hub_field_membership ON hub_field (col, value) WHERE tbl = 'membership';
CREATE INDEX hub_field_group ON hub_field (col, value) WHERE tbl = 'coalition_group';
CREATE INDEX hub_field_agenda_item ON hub_field (col, value) WHERE tbl = 'agenda_item';
