package io.wrenn.controlplane.http;

import io.wrenn.api.ErrorCode;

/**
 * An error meant for the caller: its code picks the HTTP status and its message is sent as
 * is, so it must never carry host paths, SQL or stack traces.
 */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;
    /** How long the caller should wait before trying again, when the thrower knows better than the code's default. */
    private final java.time.Duration retryAfter;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ApiException(ErrorCode code, String message, java.time.Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** The wait this refusal knows of; empty: the code's usual {@code Retry-After}, if any. */
    public java.util.Optional<java.time.Duration> retryAfter() {
        return java.util.Optional.ofNullable(retryAfter);
    }

    public static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_REQUEST, message);
    }
}
