-- Verified email addresses (issue 19): an OAuth login may be linked only to an account whose
-- address was proven, or anyone who signs up first with someone's address would own the
-- account that person later enters through their provider.

-- When the person proved the address is theirs: a provider vouched for it (accounts made by an
-- OAuth login) or they followed a link mailed to it. NULL: never proven.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
-- Accounts made by an OAuth login (no password, a provider identity): the provider said so.
UPDATE users u SET email_verified_at = u.created_at
WHERE u.password_hash IS NULL AND EXISTS (SELECT 1 FROM oauth_identities i WHERE i.user_id = u.id);

-- Links mailed to prove an address, stored hashed, single-use, valid until expires_at. Either a
-- sign-up waiting for its link (the account is made only when it is followed, so nobody can hold
-- an address they do not read: name, password hash and invitation wait here), or an existing
-- account's address to verify (user_id).
CREATE TABLE email_verifications (
    token_hash       bytea PRIMARY KEY,
    email            text NOT NULL,
    user_id          uuid REFERENCES users (id) ON DELETE CASCADE,
    name             text,
    password_hash    text,
    invitation_hash  bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    CHECK ((user_id IS NULL) = (password_hash IS NOT NULL AND name IS NOT NULL))
);
CREATE INDEX email_verifications_email ON email_verifications (email, created_at);
CREATE INDEX email_verifications_expires ON email_verifications (expires_at);

-- Mails sent per recipient, for the sliding-hour limit that keeps Wrenn from flooding a mailbox.
CREATE TABLE mail_events (
    recipient  text NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_events_recipient ON mail_events (recipient, sent_at);

-- The browser that started an OAuth login: the hash of a cookie set by authorize, checked by the
-- callback, so a state cannot be replayed in someone else's browser (login CSRF).
ALTER TABLE oauth_states ADD COLUMN browser_hash bytea;
