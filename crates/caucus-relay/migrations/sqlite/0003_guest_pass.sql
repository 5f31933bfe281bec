-- The passes of guests at meetings (caucus_core::guest_pass) whose changes the hub judged by
-- them, believed under the enrolled key of the host that signed each: sent with the guests'
-- changes in pulls, so every replica can judge those changes too. The PostgreSQL twin is
-- ../postgres/0003_guest_pass.sql.
CREATE TABLE hub_guest_pass (
    signature TEXT PRIMARY KEY NOT NULL,
    site      TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX hub_guest_pass_site ON hub_guest_pass (site);
