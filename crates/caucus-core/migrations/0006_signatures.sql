-- The maker's signature on the last change of each signed span of a write (JSON: the span's
-- length and the ed25519 signature), so whoever this replica passes the change to — a meeting
-- host, a bundle, the hub through another device — can check who made it. NULL on the other
-- changes of a span, on a hub's compensations, and on changes logged before devices signed.
ALTER TABLE change_log ADD COLUMN signature TEXT;
