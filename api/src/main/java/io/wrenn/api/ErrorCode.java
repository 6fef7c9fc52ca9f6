package io.wrenn.api;

/**
 * Every error the public API can return, as the stable snake_case {@code code} of the
 * {@code {code, message}} body and the HTTP status that carries it. Clients switch on the
 * code, never on the message; openapi.yaml lists the same codes.
 */
public enum ErrorCode {
    INVALID_JSON(400),
    INVALID_REQUEST(400),
    /** An OAuth callback came without the cookie of the browser that started that login (or with another's). */
    OAUTH_BROWSER_MISMATCH(400),
    UNAUTHORIZED(401),
    PERMISSION_DENIED(403),
    FORBIDDEN(403),
    ACCOUNT_DISABLED(403),
    /** The caller's team is suspended by a platform admin: nothing it holds may be used. */
    TEAM_SUSPENDED(403),
    /** Sign-up is closed, by invitation only, or not open to the address's domain. */
    SIGNUP_CLOSED(403),
    NOT_TEAM_MEMBER(403),
    /** The invitation was made out to another email address than the caller's. */
    INVITATION_EMAIL_MISMATCH(403),
    /** The password was right, but the address was never verified: the person follows the link mailed to it. */
    EMAIL_UNVERIFIED(403),
    NOT_FOUND(404),
    TEAM_NOT_FOUND(404),
    USER_NOT_FOUND(404),
    MEMBER_NOT_FOUND(404),
    API_KEY_NOT_FOUND(404),
    /** No pending invitation: unknown, expired, revoked or already used (one answer for all). */
    INVITATION_NOT_FOUND(404),
    /** No live verification link: unknown, expired or already used (one answer for all). */
    VERIFICATION_NOT_FOUND(404),
    SANDBOX_NOT_FOUND(404),
    TEMPLATE_NOT_FOUND(404),
    FILE_NOT_FOUND(404),
    PROCESS_NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    INVALID_STATE(409),
    CONFLICT(409),
    EMAIL_TAKEN(409),
    LAST_OWNER(409),
    /** The team holds as many pending invitations as it may: revoke some or wait for them to expire. */
    TOO_MANY_INVITATIONS(409),
    /** An OAuth login found an account with the provider's email whose address was never verified: it is not linked. */
    ACCOUNT_UNVERIFIED(409),
    /** The call needs mail, and the operator configured none (no SMTP server). */
    MAIL_NOT_CONFIGURED(409),
    /** The person asked to verify an address that is verified already. */
    EMAIL_ALREADY_VERIFIED(409),
    PAYLOAD_TOO_LARGE(413),
    URI_TOO_LONG(414),
    RANGE_NOT_SATISFIABLE(416),
    RATE_LIMITED(429),
    /** A per-team quota (running, paused, disk, builds) would be exceeded. */
    QUOTA_EXCEEDED(429),
    REQUEST_HEADERS_TOO_LARGE(431),
    INTERNAL(500),
    /** Saved state of a sandbox failed its checksum: it cannot be resumed as it was. */
    DATA_LOSS(500),
    NOT_IMPLEMENTED(501),
    HOST_ERROR(502),
    OAUTH_PROVIDER_ERROR(502),
    /** Nothing in the sandbox answered on the requested port. */
    PORT_NOT_OPEN(502),
    NO_HOST_AVAILABLE(503),
    HOST_UNAVAILABLE(503),
    /** Every host that could take it is full (memory, disk or vCPU budget). */
    CAPACITY_EXCEEDED(503),
    /** The host's queue of boots and restores did not reach this one in time. */
    HOST_BUSY(503),
    /** The control plane could not reach its database: nothing was read or changed. */
    DATABASE_UNAVAILABLE(503),
    HOST_TIMEOUT(504),
    /** The disk that had to hold the call's data (the host's, or the sandbox's own) is full: nothing changed. */
    DISK_FULL(507);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status this error is sent with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The wire form, e.g. {@code template_not_found}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
