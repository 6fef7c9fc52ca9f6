package io.wrenn.hostagent.guest;

/**
 * The guest agent refused or failed a request. {@link Kind} says which way, so the RPC layer can
 * pick a status; the message is safe to show to users (it never names host paths).
 */
public final class GuestException extends RuntimeException {

    public enum Kind { NOT_FOUND, INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL }

    private final Kind kind;

    public GuestException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public GuestException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Maps an HTTP status from envd's file routes to a kind. */
    public static GuestException fromHttpStatus(int status, String what) {
        return switch (status) {
            case 400 -> new GuestException(Kind.INVALID_ARGUMENT, what + ": invalid path or request");
            case 401 -> new GuestException(Kind.INVALID_ARGUMENT, what + ": unknown user");
            case 403 -> new GuestException(Kind.PERMISSION_DENIED, what + ": permission denied");
            case 413 -> new GuestException(Kind.RESOURCE_EXHAUSTED, what + ": too large");
            case 404 -> new GuestException(Kind.NOT_FOUND, what + ": no such file");
            case 409 -> new GuestException(Kind.ALREADY_EXISTS, what + ": already exists");
            case 507 -> new GuestException(Kind.RESOURCE_EXHAUSTED, what + ": not enough disk space in the sandbox");
            default -> new GuestException(Kind.INTERNAL, what + ": the guest agent answered " + status);
        };
    }

    /** Maps a Connect error code ("not_found", "invalid_argument", ...) to a kind. */
    public static Kind fromConnectCode(String code) {
        return switch (code == null ? "" : code) {
            case "not_found" -> Kind.NOT_FOUND;
            case "invalid_argument", "out_of_range", "unauthenticated" -> Kind.INVALID_ARGUMENT;
            case "permission_denied" -> Kind.PERMISSION_DENIED;
            case "already_exists" -> Kind.ALREADY_EXISTS;
            case "failed_precondition" -> Kind.FAILED_PRECONDITION;
            case "resource_exhausted" -> Kind.RESOURCE_EXHAUSTED;
            case "unavailable", "deadline_exceeded" -> Kind.UNAVAILABLE;
            default -> Kind.INTERNAL;
        };
    }
}
