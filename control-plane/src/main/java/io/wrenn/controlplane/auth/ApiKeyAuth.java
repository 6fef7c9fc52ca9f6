package io.wrenn.controlplane.auth;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;

/**
 * Authenticates {@code /v1} requests by their {@code X-API-Key} header. Every presented key
 * costs the same work (one hash, one indexed lookup) whether or not it is well formed, so
 * the response time says nothing about how close a guess was.
 */
public final class ApiKeyAuth {

    public static final String HEADER = "X-API-Key";
    private static final String CALLER = "wrenn.caller";

    private final ApiKeyStore store;

    public ApiKeyAuth(ApiKeyStore store) {
        this.store = store;
    }

    /** A before-handler: rejects the request with 401 or records its {@link Caller}. */
    public void authenticate(Context ctx) {
        String key = ctx.header(HEADER);
        if (key == null || key.isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "missing " + HEADER + " header");
        }
        Caller caller = store.findByHash(ApiKeys.hash(key))
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "invalid API key"));
        ctx.attribute(CALLER, caller);
    }

    /** The caller recorded by {@link #authenticate} on a WebSocket's upgrade request. */
    public static Caller caller(io.javalin.websocket.WsContext ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("socket is not behind ApiKeyAuth");
        }
        return caller;
    }

    /** The caller recorded by {@link #authenticate}; only valid on authenticated routes. */
    public static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("route is not behind ApiKeyAuth");
        }
        return caller;
    }
}
