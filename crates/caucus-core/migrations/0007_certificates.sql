-- The device certificates this replica has seen and believed (signed by its hub's key, valid
-- when received): which key and site act for which person. A change carried by a meeting host
-- or a USB bundle is told apart from a forgery by them, with no hub in reach.
CREATE TABLE device_certificate (
    site TEXT NOT NULL,
    device_key TEXT NOT NULL,
    person TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (site, device_key)
) WITHOUT ROWID;
