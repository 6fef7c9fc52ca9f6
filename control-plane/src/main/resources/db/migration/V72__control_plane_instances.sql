-- The control planes sharing this database, each with a heartbeat, and which of them is creating
-- each sandbox: a starting row whose creator stopped beating (killed mid-create) is settled at the
-- reconciler's next pass instead of after the create deadline.
CREATE TABLE control_plane_instances (
    id           uuid PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- NULL: written by a release without instances (settled by the create deadline, as before).
ALTER TABLE sandboxes ADD COLUMN creator uuid;
