-- Sign-ups per client address (an IPv6 address counted by its /64), for the sliding-window limit.
CREATE TABLE signup_events (
    client_address  text NOT NULL,
    signed_up_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signup_events_address ON signup_events (client_address, signed_up_at);
CREATE INDEX api_keys_created_by ON api_keys (created_by, created_at);
