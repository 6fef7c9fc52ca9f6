-- Wrenn's first schema: teams and their API keys, hosts, templates and sandboxes.
-- Ids are UUIDs; the API shows them as prefixed base-36 strings (WireId).

CREATE TABLE teams (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The platform team owns the base templates, which every team may use.
INSERT INTO teams (id, name) VALUES ('00000000-0000-0000-0000-000000000000', 'Platform');

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    name        text NOT NULL,
    is_admin    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);

-- Only the SHA-256 of a key is kept; the key itself is shown once, at creation.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name          text NOT NULL,
    prefix        text NOT NULL,
    hash          bytea NOT NULL UNIQUE,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);

CREATE TABLE hosts (
    id            uuid PRIMARY KEY,
    address       text NOT NULL UNIQUE,
    status        text NOT NULL CHECK (status IN ('online', 'unreachable')),
    accelerator   text,
    version       text,
    cpu_count     integer,
    memory_mb     bigint,
    disk_free_mb  bigint,
    last_seen_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- type 'image': a root filesystem, cold boot; 'snapshot': memory + disk, restored.
CREATE TABLE templates (
    id          uuid PRIMARY KEY,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name        text NOT NULL,
    type        text NOT NULL CHECK (type IN ('image', 'snapshot')),
    vcpus       integer NOT NULL,
    memory_mb   integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, name)
);

INSERT INTO templates (id, team_id, name, type, vcpus, memory_mb) VALUES
    (gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'minimal', 'image', 1, 512),
    (gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'debian', 'image', 1, 512);

-- Rows are never deleted: a stopped sandbox stays readable by id.
-- env_keys holds only the names of the environment variables: their values often carry
-- credentials, and the host agent is the only party that needs them (at create time).
CREATE TABLE sandboxes (
    id             uuid PRIMARY KEY,
    team_id        uuid NOT NULL REFERENCES teams (id),
    host_id        uuid REFERENCES hosts (id),
    template_id    uuid NOT NULL REFERENCES templates (id),
    status         text NOT NULL CHECK (status IN ('starting', 'running', 'stopping', 'stopped', 'error', 'unknown')),
    status_reason  text,
    vcpus          integer NOT NULL,
    memory_mb      integer NOT NULL,
    disk_size_mb   integer NOT NULL,
    timeout_s      integer NOT NULL,
    env_keys       jsonb NOT NULL DEFAULT '[]',
    metadata       jsonb NOT NULL DEFAULT '{}',
    boot_ms        bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    expires_at     timestamptz,
    stopped_at     timestamptz
);

CREATE INDEX sandboxes_team_created ON sandboxes (team_id, created_at DESC);
CREATE INDEX sandboxes_host_active ON sandboxes (host_id) WHERE status NOT IN ('stopped', 'error');
