-- A snapshot's row is written before its host call, as a sandbox's is: 'creating' reserves the
-- name (the live-name index counts it) but is never listed or usable; 'ready' once the host has
-- promoted the files. status_reason 'host_call_lost' says the caller gave up on its host call
-- (unavailable or deadline), so the reconciler settles the row at once instead of after the
-- snapshot deadline.
ALTER TABLE templates ADD COLUMN status text NOT NULL DEFAULT 'ready' CHECK (status IN ('creating', 'ready'));
ALTER TABLE templates ADD COLUMN status_reason text;
CREATE INDEX templates_creating ON templates (host_id) WHERE status = 'creating';
