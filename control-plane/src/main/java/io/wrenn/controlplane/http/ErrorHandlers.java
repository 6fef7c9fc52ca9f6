package io.wrenn.controlplane.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.wrenn.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a {@code {code, message}} body. Expected errors carry their own
 * code; anything else is logged with its stack trace and answered with a bare 500, so no
 * internals (paths, SQL, class names) ever reach a caller.
 */
public final class ErrorHandlers {

    private static final Logger log = LoggerFactory.getLogger(ErrorHandlers.class);
    /** The E2B-compatible facade (io.wrenn.controlplane.e2b) answers errors in E2B's shape. */
    private static final String E2B_PREFIX = "/e2b/";

    private ErrorHandlers() {
    }

    public static void install(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.code(), e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            ErrorCode code = switch (e.getStatus()) {
                case 400 -> ErrorCode.INVALID_REQUEST;
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                default -> null;
            };
            if (code == null) {
                log.warn("unexpected HTTP error {} on {} {}", e.getStatus(), ctx.method(), ctx.path(), e);
                send(ctx, ErrorCode.INTERNAL, "internal error");
            } else {
                send(ctx, code, switch (code) {
                    case NOT_FOUND -> "no such route";
                    case METHOD_NOT_ALLOWED -> "method not allowed";
                    case PAYLOAD_TOO_LARGE -> "request body too large";
                    default -> "bad request";
                });
            }
        });
        routes.exception(Exception.class, (e, ctx) -> {
            if (ctx.res().isCommitted()) {
                // A streamed response broke half-way (often the client left): the status line
                // is gone, so the only signal left is the truncated body.
                log.warn("{} {} failed after the response started: {}", ctx.method(), ctx.path(), e.toString());
                return;
            }
            log.error("internal error on {} {}", ctx.method(), ctx.path(), e);
            send(ctx, ErrorCode.INTERNAL, "internal error");
        });
    }

    public static void send(Context ctx, ErrorCode code, String message) {
        if (code == ErrorCode.RATE_LIMITED) {
            // Failures age out of the throttle's window one by one: a minute is a fair time to wait.
            ctx.header("Retry-After", "60");
        }
        if (ctx.path().startsWith(E2B_PREFIX)) {
            // E2B's clients read their error shape: the HTTP status as a number in 'code'.
            ctx.status(code.httpStatus()).json(java.util.Map.of("code", code.httpStatus(), "message", message));
            return;
        }
        ctx.status(code.httpStatus()).json(ErrorBody.of(code, message));
    }
}
