package io.wrenn.sdk.internal;

/**
 * The HTTP status family of an error code that arrived without one (on the process socket,
 * errors are messages, not HTTP answers), so that it becomes the same exception type as it
 * would over REST.
 */
final class ErrorCodes {
    private ErrorCodes() {
    }

    static int statusOf(String code) {
        if (code.endsWith("_not_found")) {
            return 404;
        }
        switch (code) {
            case "invalid_request": case "invalid_json": return 400;
            case "unauthorized": return 401;
            case "forbidden": case "permission_denied": case "not_team_member": case "account_disabled": return 403;
            case "invalid_state": case "conflict": return 409;
            case "payload_too_large": return 413;
            case "rate_limited": return 429;
            case "host_error": return 502;
            case "host_unavailable": case "no_host_available": return 503;
            case "host_timeout": return 504;
            case "disk_full": return 507;
            default: return 500;
        }
    }

    /** The code a refused WebSocket upgrade stands for, from its status alone. */
    static String codeOfUpgradeStatus(int status) {
        switch (status) {
            case 401: return "unauthorized";
            case 403: return "forbidden";
            case 404: return "sandbox_not_found";
            case 409: return "invalid_state";
            default: return status >= 500 ? "internal" : "invalid_request";
        }
    }
}
