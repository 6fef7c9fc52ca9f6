package io.wrenn.controlplane.auth;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import java.util.Optional;

/**
 * Authenticates requests by a person's token ({@code Authorization: Bearer …}) or a team's API
 * key ({@code X-API-Key}) and checks the route's {@link Access}. Everything that can change
 * (membership, role, admin flag, a disabled account, a revoked key, a deleted team) is read
 * from the database on every request, so a change takes effect on the next call.
 */
public final class Authenticator {

    public static final String API_KEY_HEADER = "X-API-Key";
    private static final String CALLER = "wrenn.caller";

    private final ApiKeyStore keys;
    private final SessionStore sessions;
    private final Tokens tokens;
    private final SocketTokens socketTokens;

    public Authenticator(ApiKeyStore keys, SessionStore sessions, Tokens tokens, SocketTokens socketTokens) {
        this.keys = keys;
        this.sessions = sessions;
        this.tokens = tokens;
        this.socketTokens = socketTokens;
    }

    /** Rejects the request (401/403) or records its {@link Caller} for {@link #caller}. */
    public void authenticate(Context ctx, Access access) {
        if (access == Access.PUBLIC) {
            return;
        }
        String authorization = ctx.header("Authorization");
        String key = ctx.header(API_KEY_HEADER);
        if (authorization != null && key != null) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "send one credential: X-API-Key or Authorization, not both");
        }
        Caller caller;
        if (key != null) {
            // Every presented key costs one hash and one indexed lookup, well formed or not.
            caller = keys.findByKey(key)
                    .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "invalid API key"));
        } else if (authorization != null) {
            caller = byToken(bearer(authorization))
                    .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "invalid or expired token: log in again"));
        } else if (ctx.queryParam("token") != null && isWebSocketUpgrade(ctx)) {
            // Browsers cannot set headers on a WebSocket upgrade: a single-use socket token instead.
            caller = socketTokens.consume(ctx.queryParam("token"), ctx.path())
                    .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "invalid, used or expired socket token"));
        } else {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "missing credentials: send X-API-Key or Authorization: Bearer");
        }
        ctx.attribute(CALLER, caller);
        switch (access) {
            case TEAM -> caller.requireTeam();
            case USER -> requirePerson(caller);
            case USER_IN_TEAM -> {
                requirePerson(caller);
                caller.requireTeam();
            }
            case ADMIN -> {
                requirePerson(caller);
                if (!caller.admin()) {
                    throw new ApiException(ErrorCode.FORBIDDEN, "only platform admins may do this");
                }
            }
            case PUBLIC -> throw new IllegalStateException("unreachable");
        }
    }

    private static boolean isWebSocketUpgrade(Context ctx) {
        return "websocket".equalsIgnoreCase(ctx.header("Upgrade"));
    }

    private Optional<Caller> byToken(String token) {
        return tokens.verify(token).flatMap(sessions::resolve);
    }

    private static String bearer(String authorization) {
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
        }
        return authorization.substring(space + 1).strip();
    }

    private static void requirePerson(Caller caller) {
        if (!caller.isUser()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "API keys cannot do this: it needs a person's token (Authorization: Bearer)");
        }
    }

    /** The caller recorded by {@link #authenticate}; only valid on authenticated routes. */
    public static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("route is not behind authentication");
        }
        return caller;
    }

    /** The caller recorded by {@link #authenticate} on a WebSocket's upgrade request. */
    public static Caller caller(io.javalin.websocket.WsContext ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("socket is not behind authentication");
        }
        return caller;
    }

    /** The caller, if the request got far enough to have one (for the audit log). */
    public static Optional<Caller> callerIfKnown(Context ctx) {
        return Optional.ofNullable(ctx.attribute(CALLER));
    }
}
