-- Who was handed each sandbox's envd access token (an API key, or a person's session): when that
-- key is revoked, the person leaves the team or is disabled, the token is replaced, so it does
-- not outlive its holder's right to it. A new token starts with no holders: its rows are
-- deleted when the token changes.
CREATE TABLE access_token_grants (
    sandbox_id  uuid NOT NULL REFERENCES sandboxes (id) ON DELETE CASCADE,
    api_key_id  uuid,
    user_id     uuid,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((api_key_id IS NULL) <> (user_id IS NULL))
);

CREATE UNIQUE INDEX access_token_grants_key ON access_token_grants (api_key_id, sandbox_id) WHERE api_key_id IS NOT NULL;
CREATE UNIQUE INDEX access_token_grants_user ON access_token_grants (user_id, sandbox_id) WHERE user_id IS NOT NULL;
CREATE INDEX access_token_grants_sandbox ON access_token_grants (sandbox_id);
