-- Whether a caller gave up on its host call (unavailable or deadline) is a flag the reconciler acts
-- on, not a reason shown to people: it gets a column of its own, and status_reason keeps only text.
ALTER TABLE sandboxes ADD COLUMN host_call_lost boolean NOT NULL DEFAULT false;
UPDATE sandboxes SET host_call_lost = true, status_reason = NULL WHERE status_reason = 'host_call_lost';
ALTER TABLE templates ADD COLUMN host_call_lost boolean NOT NULL DEFAULT false;
UPDATE templates SET host_call_lost = true, status_reason = NULL WHERE status_reason = 'host_call_lost';
