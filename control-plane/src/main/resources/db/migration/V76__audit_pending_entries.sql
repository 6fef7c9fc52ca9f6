-- A call that changes state outside one database transaction (it calls a host) has its audit
-- entry committed before its first change, as 'pending', naming the control plane that serves it;
-- the same row is settled once the call answers ('success' or 'failure', with the status). A
-- pending entry whose control plane stopped beating is settled by the reconciler as 'lost': the
-- control plane stopped during the call, its outcome is unknown. Pending and lost entries have no
-- status.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_outcome_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_outcome_check
    CHECK (outcome IN ('success', 'failure', 'pending', 'lost'));
ALTER TABLE audit_log ALTER COLUMN status DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_status_when_settled
    CHECK ((status IS NULL) = (outcome IN ('pending', 'lost')));

-- The control plane that wrote the entry while it was pending; NULL for entries written after
-- their call (database-only routes, refused credentials) and for those of earlier releases.
ALTER TABLE audit_log ADD COLUMN instance uuid;
CREATE INDEX audit_log_pending ON audit_log (instance) WHERE outcome = 'pending';
