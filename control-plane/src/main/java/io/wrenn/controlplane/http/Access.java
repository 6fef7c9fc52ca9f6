package io.wrenn.controlplane.http;

/**
 * Who may call a route. Every route declares one when it is registered; openapi.yaml documents
 * the same thing as the operation's {@code security} (a test holds the two equal).
 */
public enum Access {
    /** No credentials: health, docs, sign-up, login, OAuth. */
    PUBLIC,
    /** A person's token ({@code Authorization: Bearer}); no team needed (their profile, their teams). */
    USER,
    /** A person's token whose team they still belong to (API keys, audit log of that team). */
    USER_IN_TEAM,
    /** A person's token with its team, or a team's API key ({@code X-API-Key}): sandboxes and templates. */
    TEAM,
    /** A person's token, and that person is a platform admin (checked against the database). */
    ADMIN
}
