package io.wrenn.sdk;

/**
 * A call to Wrenn failed. {@link #code()} is the server's stable error code (e.g.
 * {@code sandbox_not_found}, {@code invalid_state}); programs switch on it, or catch the
 * subclass for its HTTP status family, never parse the message. Failures that never reached
 * an answer from the server carry the codes {@code timeout} and {@code connection_failed}.
 */
public class WrennException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int httpStatus;

    /**
     * @param code       the server's error code, or a client-side one
     * @param httpStatus the HTTP status of the answer, 0 when there was none
     * @param message    for people
     * @param cause      the underlying failure, if any
     */
    public WrennException(String code, int httpStatus, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The stable error code, e.g. {@code sandbox_not_found}. */
    public String code() {
        return code;
    }

    /** The HTTP status the server answered with, 0 when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + code + (httpStatus > 0 ? ", " + httpStatus : "") + "]: " + getMessage();
    }

    /** The request was refused as malformed (400: {@code invalid_request}, {@code invalid_json}). */
    public static final class InvalidRequestException extends WrennException {
        private static final long serialVersionUID = 1L;

        public InvalidRequestException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** No valid credential (401 {@code unauthorized}): a missing, revoked or expired key or token. */
    public static final class AuthenticationException extends WrennException {
        private static final long serialVersionUID = 1L;

        public AuthenticationException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** The credential may not do this (403: {@code forbidden}, {@code permission_denied}, …). */
    public static final class PermissionDeniedException extends WrennException {
        private static final long serialVersionUID = 1L;

        public PermissionDeniedException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** No such thing visible to the caller (404: {@code sandbox_not_found}, {@code file_not_found}, …). */
    public static final class NotFoundException extends WrennException {
        private static final long serialVersionUID = 1L;

        public NotFoundException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** The thing is not in a state that allows this (409: {@code invalid_state}, {@code conflict}). */
    public static final class ConflictException extends WrennException {
        private static final long serialVersionUID = 1L;

        public ConflictException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** Too many attempts (429 {@code rate_limited}). */
    public static final class RateLimitedException extends WrennException {
        private static final long serialVersionUID = 1L;

        public RateLimitedException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** The server or one of its hosts failed (5xx: {@code host_unavailable}, {@code internal}, …). */
    public static final class ServerException extends WrennException {
        private static final long serialVersionUID = 1L;

        public ServerException(String code, int status, String message) {
            super(code, status, message, null);
        }
    }

    /** No answer within the client's timeout (code {@code timeout}); the call may still have happened. */
    public static final class TimeoutException extends WrennException {
        private static final long serialVersionUID = 1L;

        public TimeoutException(String message, Throwable cause) {
            super("timeout", 0, message, cause);
        }
    }

    /** The server could not be reached, or the connection broke (code {@code connection_failed}). */
    public static final class ConnectionException extends WrennException {
        private static final long serialVersionUID = 1L;

        public ConnectionException(String message, Throwable cause) {
            super("connection_failed", 0, message, cause);
        }
    }

    /**
     * The exception for an error answer: the subclass of its status family, carrying its code.
     *
     * @param status  the HTTP status
     * @param code    the body's {@code code}
     * @param message the body's {@code message}
     * @return the exception to throw
     */
    public static WrennException of(int status, String code, String message) {
        switch (status) {
            case 400: return new InvalidRequestException(code, status, message);
            case 401: return new AuthenticationException(code, status, message);
            case 403: return new PermissionDeniedException(code, status, message);
            case 404: return new NotFoundException(code, status, message);
            case 409: return new ConflictException(code, status, message);
            case 429: return new RateLimitedException(code, status, message);
            default:
                return status >= 500 ? new ServerException(code, status, message) : new WrennException(code, status, message, null);
        }
    }
}
