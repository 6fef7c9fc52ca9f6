-- Per-team quotas set by platform admins: a NULL column means "the configured default".
CREATE TABLE team_quotas (
    team_id                uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    max_running            integer CHECK (max_running >= 0),
    max_paused             integer CHECK (max_paused >= 0),
    max_disk_mb            bigint CHECK (max_disk_mb >= 0),
    max_concurrent_builds  integer CHECK (max_concurrent_builds >= 0),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- A suspended team's keys and tokens are refused (403 team_suspended) and its sandboxes are
-- paused or stopped; unsuspending gives access back.
ALTER TABLE teams ADD COLUMN suspended_at timestamptz;
ALTER TABLE teams ADD COLUMN suspended_reason text;

-- Paused sandboxes found by the retention sweep.
CREATE INDEX sandboxes_paused_at ON sandboxes (paused_at) WHERE status = 'paused';
