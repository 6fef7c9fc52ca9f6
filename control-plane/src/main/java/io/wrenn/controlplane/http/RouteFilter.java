package io.wrenn.controlplane.http;

import io.javalin.http.Handler;

/** Wraps every route's handler with what all routes share (authentication, the audit log). */
@FunctionalInterface
public interface RouteFilter {

    Handler wrap(Route route, Handler handler);

    /** Leaves handlers as they are. */
    static RouteFilter none() {
        return (route, handler) -> handler;
    }
}
