-- Devices the coalition's hub removed, as its pulls report them: a change such a device made
-- after its removal is held wherever it arrives (a bundle), not only refused at the hub.
CREATE TABLE revoked_device (
    device_key TEXT PRIMARY KEY,
    revoked_ms INTEGER NOT NULL
) WITHOUT ROWID;
