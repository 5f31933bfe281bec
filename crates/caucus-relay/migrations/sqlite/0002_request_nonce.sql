-- The nonce of every signed request still inside the clock window, so a captured request
-- cannot be sent again (to this process or another over the same database).
CREATE TABLE hub_request_nonce (
    device_id TEXT NOT NULL,
    nonce     TEXT NOT NULL,
    clock_ms  BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX hub_request_nonce_clock ON hub_request_nonce (clock_ms);
