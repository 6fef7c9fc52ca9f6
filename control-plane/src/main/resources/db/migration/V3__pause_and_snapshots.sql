-- Pause and resume: a sandbox's memory, devices and disk are saved on its host; the row keeps
-- the pause generation the host must restore, and what the timeout does.
ALTER TABLE sandboxes DROP CONSTRAINT sandboxes_status_check;
ALTER TABLE sandboxes ADD CONSTRAINT sandboxes_status_check CHECK (status IN
    ('starting', 'running', 'pausing', 'paused', 'resuming', 'stopping', 'stopped', 'error', 'unknown'));
ALTER TABLE sandboxes ADD COLUMN on_timeout text NOT NULL DEFAULT 'destroy' CHECK (on_timeout IN ('destroy', 'pause'));
ALTER TABLE sandboxes ADD COLUMN pause_generation bigint NOT NULL DEFAULT 0;
ALTER TABLE sandboxes ADD COLUMN paused_at timestamptz;

-- Snapshot templates live on the host that made them; sizes are what the host reported.
ALTER TABLE templates ADD COLUMN host_id uuid REFERENCES hosts (id);
ALTER TABLE templates ADD COLUMN disk_size_mb integer;
ALTER TABLE templates ADD COLUMN size_bytes bigint;
ALTER TABLE templates ADD COLUMN source_sandbox_id uuid;
-- A deleted template's row stays (stopped sandboxes still name their template) but is hidden,
-- and its name is free again.
ALTER TABLE templates ADD COLUMN deleted_at timestamptz;
ALTER TABLE templates DROP CONSTRAINT templates_team_id_name_key;
CREATE UNIQUE INDEX templates_live_name ON templates (team_id, name) WHERE deleted_at IS NULL;
