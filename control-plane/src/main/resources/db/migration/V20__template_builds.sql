-- Templates built from recipes. A build is a durable queue entry: workers of any control plane
-- claim it with FOR UPDATE SKIP LOCKED and hold a lease they renew; a lease that runs out (its
-- control plane died) hands the build to whoever notices, who retries it or fails it with a reason.
CREATE TABLE template_builds (
    id               uuid PRIMARY KEY,
    -- The owner of the template it makes (the all-zero team for platform templates) and the
    -- team whose member or key asked for it (who may read and cancel it).
    team_id          uuid NOT NULL REFERENCES teams (id),
    requester_team   uuid NOT NULL REFERENCES teams (id),
    name             text NOT NULL,
    -- The recipe as sent (lines) and as parsed (steps with their line numbers), and the
    -- SHA-256 of the archive COPY steps read from (stored by the control plane), if any.
    recipe_text      text NOT NULL DEFAULT '',
    steps            jsonb NOT NULL DEFAULT '[]',
    archive_sha256   text,
    vcpus            integer NOT NULL,
    memory_mb        integer NOT NULL,
    disk_size_mb     integer NOT NULL,
    skip_pre_post    boolean NOT NULL DEFAULT false,
    no_cache         boolean NOT NULL DEFAULT false,
    -- 'pending': reserved (E2B's two-call build: name first, steps later), never claimed.
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('pending', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
    reason           text,
    -- Progress: step N of M (pre and post phases included), the step failing a build.
    current_step     integer NOT NULL DEFAULT 0,
    total_steps      integer NOT NULL,
    failed_step      integer,
    cached_steps     integer NOT NULL DEFAULT 0,
    attempts         integer NOT NULL DEFAULT 0,
    cancel_requested boolean NOT NULL DEFAULT false,
    host_id          uuid REFERENCES hosts (id),
    builder_id       uuid,
    lease_owner      text,
    lease_until      timestamptz,
    template_id      uuid REFERENCES templates (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz
);
-- One build at a time per name and owner.
CREATE UNIQUE INDEX template_builds_active_name ON template_builds (team_id, name)
    WHERE status IN ('pending', 'queued', 'running');
CREATE INDEX template_builds_queue ON template_builds (created_at) WHERE status = 'queued';
CREATE INDEX template_builds_running ON template_builds (lease_until) WHERE status = 'running';
CREATE INDEX template_builds_requester ON template_builds (requester_team, created_at DESC, id DESC);

-- Every line every step printed, in order, kept after the build (failed ones too).
CREATE TABLE template_build_logs (
    build_id   uuid NOT NULL REFERENCES template_builds (id) ON DELETE CASCADE,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    step       integer NOT NULL,
    stream     text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
    line       text NOT NULL,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (build_id, seq)
);

-- Archives for COPY, stored on the control plane's disk by content (SHA-256 of the normalised
-- tar), per team: a team never reads another's files, even with the same hash.
CREATE TABLE build_files (
    team_id     uuid NOT NULL REFERENCES teams (id),
    sha256      text NOT NULL,
    size_bytes  bigint NOT NULL,
    entries     integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, sha256)
);

-- Layer cache: a snapshot taken after a prefix of a build's steps, found again by the prefix's
-- key. Such templates are the team's but never listed; a build with no_cache ignores them.
ALTER TABLE templates ADD COLUMN build_cache_key text;
CREATE UNIQUE INDEX templates_build_cache ON templates (team_id, build_cache_key)
    WHERE build_cache_key IS NOT NULL AND deleted_at IS NULL;
