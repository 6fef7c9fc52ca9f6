package io.wrenn.envd.connect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure with a Connect code. Every handler in envd reports expected failures this way; the
 * Connect layer turns it into an error response or end-of-stream error, and the plain HTTP routes
 * turn it into the matching HTTP status.
 */
public final class ConnectException extends RuntimeException {
    private final Code code;

    public ConnectException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ConnectException(Code code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    /** The Connect error object: {@code {"code":"not_found","message":"..."}}. */
    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("code", code.wireName());
        if (getMessage() != null) {
            json.put("message", getMessage());
        }
        return json;
    }

    public static ConnectException notFound(String message) {
        return new ConnectException(Code.NOT_FOUND, message);
    }

    public static ConnectException invalidArgument(String message) {
        return new ConnectException(Code.INVALID_ARGUMENT, message);
    }

    public static ConnectException internal(String message, Throwable cause) {
        return new ConnectException(Code.INTERNAL, message, cause);
    }
}
