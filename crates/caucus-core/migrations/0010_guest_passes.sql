-- The passes of guests at meetings whose changes this replica received (a guest has no
-- certificate): what their changes are judged by here, and what travels with them onward.
-- One row per pass as its host signed it; believed only under the host's certified key.
CREATE TABLE guest_pass (
    signature TEXT PRIMARY KEY,
    site      TEXT NOT NULL,
    body      TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX guest_pass_site ON guest_pass (site);
