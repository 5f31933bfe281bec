-- The hub's database (PostgreSQL). The SQLite twin is ../sqlite/0001_hub.sql: keep them alike.

-- The hub's id, given to every device that enrols.
CREATE TABLE hub_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Invite codes, stored hashed. Single use (used_ms) and expiring. A meeting host's pairing
-- code is an invite with no person (the device says who it is) and many uses.
CREATE TABLE hub_invite (
    code_hash  TEXT PRIMARY KEY NOT NULL,
    person_id  TEXT,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT,
    reusable   BIGINT NOT NULL DEFAULT 0
);

-- Enrolled devices. Only the token's hash is kept; revoked_ms ends every later request.
CREATE TABLE hub_device (
    id          TEXT PRIMARY KEY NOT NULL,
    person_id   TEXT NOT NULL,
    site        TEXT NOT NULL,
    name        TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    enrolled_ms BIGINT NOT NULL,
    revoked_ms  BIGINT
);
CREATE INDEX hub_device_site ON hub_device (site);

-- Every accepted change, in server order. (site, seq) makes a retried push add nothing.
CREATE TABLE hub_change (
    server_seq BIGSERIAL PRIMARY KEY,
    site       TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    bucket     TEXT NOT NULL,
    body       TEXT NOT NULL,
    UNIQUE (site, seq)
);
CREATE INDEX hub_change_bucket ON hub_change (bucket, server_seq);

-- The winning change of each field (and of each row's `$row`): the compacted snapshot a new
-- device receives, and what the rights check reads (people, memberships, groups).
CREATE TABLE hub_field (
    tbl        TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    col        TEXT NOT NULL,
    cl         BIGINT NOT NULL,
    hlc        BIGINT NOT NULL,
    site       TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    value      TEXT NOT NULL,
    bucket     TEXT NOT NULL,
    server_seq BIGINT NOT NULL,
    PRIMARY KEY (tbl, row_id, col)
);
CREATE INDEX hub_field_bucket ON hub_field (bucket, server_seq);
CREATE INDEX hub_field_lookup ON hub_field (tbl, col, value)
    WHERE tbl IN ('person', 'membership', 'coalition_group');

-- Each row's bucket and causal length (the highest seen).
CREATE TABLE hub_row (
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    bucket TEXT NOT NULL,
    cl     BIGINT NOT NULL,
    PRIMARY KEY (tbl, row_id)
);
