-- Invitations to join a team. The token is shown once to the inviter; only its SHA-256 is kept,
-- so a leaked database cannot be used to join a team. A row is pending while it is neither
-- accepted nor revoked and not past expires_at; accepted and revoked rows stay for the audit log.
CREATE TABLE team_invitations (
    id           uuid PRIMARY KEY,
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- As account.Emails normalises it (trimmed, lower case, ASCII), so it compares with users.email as is.
    email        text NOT NULL,
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    token_hash   bytea NOT NULL UNIQUE,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at   timestamptz,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);

-- One open invitation per (team, email): inviting again revokes the open one first (an expired
-- one too: expiry cannot be part of an index), so the older token stops working.
CREATE UNIQUE INDEX team_invitations_open ON team_invitations (team_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
-- The team's pending list, newest first, and the per-inviter hourly count.
CREATE INDEX team_invitations_team ON team_invitations (team_id, created_at DESC, id DESC)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX team_invitations_created_by ON team_invitations (created_by, created_at);
