-- Changes a meeting or a bundle brought that this replica cannot trace to a certified maker
-- (no certificate for its device, a signature by another key, a claim to be another person's
-- change). They are in the log, so they are still passed on to the hub, which has the last
-- word, but not in the rows, so no screen shows them as true. The hub accepting one releases
-- it into the rows; the hub refusing one drops it from here (its refusal is listed instead).
CREATE TABLE quarantine (
    site BLOB NOT NULL,
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (site, seq)
) WITHOUT ROWID;
