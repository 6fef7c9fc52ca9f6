-- People: passwords, disabled accounts, soft-deleted teams, OAuth identities, login throttling,
-- the token signing key and the audit log.

-- password_hash is an argon2id PHC string; NULL for people who only log in through OAuth.
-- token_generation is copied into every JWT; bumping it (password change, disable) makes every
-- token issued before stop working at once.
ALTER TABLE users ADD COLUMN password_hash text;
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
ALTER TABLE users ADD COLUMN token_generation integer NOT NULL DEFAULT 0;

ALTER TABLE teams ADD COLUMN deleted_at timestamptz;
CREATE INDEX team_members_user ON team_members (user_id);

-- Secrets the control plane generates for itself, shared by every control plane on this database.
CREATE TABLE control_plane_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oauth_identities (
    provider    text NOT NULL,
    subject     text NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);

-- One row per authorization request in flight: the state (hashed) and the PKCE verifier.
CREATE TABLE oauth_states (
    state_hash     bytea PRIMARY KEY,
    provider       text NOT NULL,
    code_verifier  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Failed logins within the throttle window; older rows are pruned as new ones arrive.
CREATE TABLE login_failures (
    email           text NOT NULL,
    client_address  text NOT NULL,
    failed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_pair ON login_failures (email, client_address, failed_at);
CREATE INDEX login_failures_address ON login_failures (client_address, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);

-- Every mutating call: who (user and/or key), what, on which resource, for which team, from
-- where, and how it ended. team_id is NULL for calls that act for no team (a failed login).
CREATE TABLE audit_log (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id           uuid REFERENCES teams (id),
    actor_user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_api_key_id  uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    action            text NOT NULL,
    resource_type     text,
    resource_id       text,
    outcome           text NOT NULL CHECK (outcome IN ('success', 'failure')),
    status            integer NOT NULL,
    client_address    text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_team ON audit_log (team_id, id DESC);

-- Deleting a key revokes it; the row stays so the audit log can still name it.
ALTER TABLE api_keys ADD COLUMN revoked_at timestamptz;
CREATE INDEX api_keys_team ON api_keys (team_id, created_at DESC) WHERE revoked_at IS NULL;
