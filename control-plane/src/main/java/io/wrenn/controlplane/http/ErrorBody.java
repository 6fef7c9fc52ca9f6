package io.wrenn.controlplane.http;

import io.wrenn.api.ErrorCode;

/** The body of every error response: {@code {"code": "...", "message": "..."}}. */
public record ErrorBody(String code, String message) {

    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(code.code(), message);
    }
}
