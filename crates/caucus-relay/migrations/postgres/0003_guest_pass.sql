-- The passes of guests at meetings whose changes the hub judged by them (see
-- ../sqlite/0003_guest_pass.sql).
CREATE TABLE hub_guest_pass (
    signature TEXT PRIMARY KEY NOT NULL,
    site      TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX hub_guest_pass_site ON hub_guest_pass (site);
