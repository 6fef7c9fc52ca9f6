package io.wrenn.controlplane.http;

import io.wrenn.api.ErrorCode;

/**
 * An error meant for the caller: its code picks the HTTP status and its message is sent as
 * is, so it must never carry host paths, SQL or stack traces.
 */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_REQUEST, message);
    }
}
