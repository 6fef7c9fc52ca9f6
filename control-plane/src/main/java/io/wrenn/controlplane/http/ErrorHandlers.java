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
    static final String E2B_PREFIX = "/e2b/";
    /**
     * A refused request's unread body is read and dropped up to this much, so a client that
     * sends its whole body before reading (most do) gets the refusal instead of a reset.
     */
    private static final long MAX_DRAIN_BYTES = 128L << 20;
    private static final long MAX_DRAIN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    private ErrorHandlers() {
    }

    public static void install(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.code(), e.getMessage(), e.retryAfter().orElse(null)));
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
            Throwable databaseDown = io.wrenn.controlplane.db.DatabaseUnavailable.reason(e);
            if (databaseDown != null) {
                // Said without a stack trace per request, which would flood the log while it is down.
                log.warn("{} {}: the database is unavailable ({})", ctx.method(), ctx.path(), databaseDown);
                send(ctx, ErrorCode.DATABASE_UNAVAILABLE, "the database is unavailable; try again shortly");
                return;
            }
            log.error("internal error on {} {}", ctx.method(), ctx.path(), e);
            send(ctx, ErrorCode.INTERNAL, "internal error");
        });
    }

    public static void send(Context ctx, ErrorCode code, String message) {
        send(ctx, code, message, null);
    }

    /** As {@link #send(Context, ErrorCode, String)}, with the wait the refusal knows of ({@code null}: the code's usual one). */
    public static void send(Context ctx, ErrorCode code, String message, java.time.Duration retryAfter) {
        if (retryAfter != null) {
            // Whole seconds, rounded up, at least one: "0" would invite an immediate retry that is refused again.
            ctx.header("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
        } else if (code == ErrorCode.RATE_LIMITED) {
            // Failures age out of the throttle's window one by one: a minute is a fair time to wait.
            ctx.header("Retry-After", "60");
        } else if (code == ErrorCode.NO_HOST_AVAILABLE || code == ErrorCode.HOST_UNAVAILABLE
                || code == ErrorCode.DATABASE_UNAVAILABLE) {
            // A host (or the database) that reconnects does so within seconds; a create already waited for its host.
            ctx.header("Retry-After", "5");
        } else if (code == ErrorCode.CAPACITY_EXCEEDED || code == ErrorCode.HOST_BUSY) {
            // Room comes back as sandboxes stop, pause or time out: seconds to minutes.
            ctx.header("Retry-After", "30");
        } else if (code == ErrorCode.QUOTA_EXCEEDED) {
            // Only the team's own stops (or an admin) free a quota; a minute is a fair first wait.
            ctx.header("Retry-After", "60");
        }
        // E2B's clients read their error shape: the HTTP status as a number in 'code'.
        Object body = ctx.path().startsWith(E2B_PREFIX)
                ? java.util.Map.of("code", code.httpStatus(), "message", message)
                : ErrorBody.of(code, message);
        if (hasUnreadBody(ctx)) {
            answerThenDrain(ctx, code.httpStatus(), Jsons.mapper().writeValueAsBytes(body));
            return;
        }
        ctx.status(code.httpStatus()).json(body);
    }

    /**
     * A body the client is still sending (refused before it was read: too large, no
     * credentials, no such route). Closing on it would reset the connection, and a client that
     * writes before it reads would see the reset, not the answer. A client waiting for
     * {@code 100 Continue} has sent nothing, so there is nothing to drain.
     */
    private static boolean hasUnreadBody(Context ctx) {
        var request = ctx.req();
        boolean hasBody = request.getContentLengthLong() > 0 || "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
        if (!hasBody || "100-continue".equalsIgnoreCase(request.getHeader("Expect")) || ctx.res().isCommitted()) {
            return false;
        }
        try {
            return !request.getInputStream().isFinished();
        } catch (java.io.IOException | IllegalStateException e) {
            return false; // read as a reader or multipart: already consumed
        }
    }

    /** Sends the answer at once, then reads and drops the rest of the body (bounded). */
    private static void answerThenDrain(Context ctx, int status, byte[] json) {
        var response = ctx.res();
        try {
            response.setStatus(status);
            response.setContentType("application/json");
            response.setContentLength(json.length);
            response.getOutputStream().write(json);
            response.flushBuffer();
            var in = ctx.req().getInputStream();
            byte[] sink = new byte[64 * 1024];
            long drained = 0;
            long deadline = System.nanoTime() + MAX_DRAIN_NANOS;
            for (int n = in.read(sink); n >= 0 && drained < MAX_DRAIN_BYTES && System.nanoTime() < deadline; n = in.read(sink)) {
                drained += n;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // The client left or sent a broken body: the answer went out or never will; nothing to add.
            log.debug("while draining a refused body on {} {}: {}", ctx.method(), ctx.path(), e.toString());
        }
    }
}
