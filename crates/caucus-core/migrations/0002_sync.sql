-- Sync state of this device. None of it is user data, and none of it is ever synced.

-- Changes this device holds that its home hub has not yet acknowledged: its own edits and
-- what it received from meeting peers and bundles. A change leaves only when the home hub
-- accepts it or refuses it for good; nothing here is ever dropped to "reset" sync.
CREATE TABLE sync_outbox (
    site BLOB NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (site, seq)
) WITHOUT ROWID;

-- Where this device stands in each bucket of each hub it pulls from (its home hub, or a
-- meeting host), by the hub's server sequence.
CREATE TABLE sync_cursor (
    hub        TEXT NOT NULL,
    bucket     TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    following  INTEGER NOT NULL,
    PRIMARY KEY (hub, bucket)
) WITHOUT ROWID;

-- What a peer device is known to hold, from the version vector in its last bundle: the highest
-- sequence number it has of each site. Exports to that peer leave out what it already has.
CREATE TABLE peer_version (
    peer BLOB NOT NULL,
    site BLOB NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (peer, site)
) WITHOUT ROWID;

-- The home hub's refusals of this device's changes, for the sync panel.
CREATE TABLE sync_rejection (
    site   BLOB NOT NULL,
    seq    INTEGER NOT NULL,
    at_ms  INTEGER NOT NULL,
    code   TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (site, seq)
) WITHOUT ROWID;
