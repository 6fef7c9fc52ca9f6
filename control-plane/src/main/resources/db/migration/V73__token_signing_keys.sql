-- The keys that sign people's tokens, each named by the `kid` of the tokens it signs. The one key
-- not retired signs; a retired key only verifies, until no token it signed can still be valid,
-- and is then deleted (auth.SigningKeys).
CREATE TABLE token_signing_keys (
    kid         text PRIMARY KEY,
    secret      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);
-- At most one signing key: two control planes making the first key at once make one.
CREATE UNIQUE INDEX token_signing_keys_one_current ON token_signing_keys ((true)) WHERE retired_at IS NULL;

-- The key of the releases before `kid`: their tokens carry none. Retired now, it goes on
-- verifying the tokens issued before the upgrade until they expire and signs nothing more.
INSERT INTO token_signing_keys (kid, secret, created_at, retired_at)
SELECT 'pre-kid', value, created_at, now() FROM control_plane_secrets WHERE name = 'token-signing-key';

-- That key was its only secret.
DROP TABLE control_plane_secrets;
