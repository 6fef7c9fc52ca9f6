-- Single-use, short-lived tokens that let a browser open a WebSocket (which cannot carry an
-- X-API-Key header): issued to an authenticated caller for one socket path, consumed by the
-- upgrade request. Only the SHA-256 of a token is kept.
CREATE TABLE socket_tokens (
    hash        bytea PRIMARY KEY,
    path        text NOT NULL,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    api_key_id  uuid REFERENCES api_keys (id) ON DELETE CASCADE,
    role        text NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE INDEX socket_tokens_expiry ON socket_tokens (expires_at);
