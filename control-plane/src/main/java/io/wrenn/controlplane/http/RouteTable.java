package io.wrenn.controlplane.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers routes with Javalin and remembers them, so a test can hold the served routes
 * against openapi.yaml: a route cannot be added without showing up there. Each route declares
 * its {@link Access}, and every handler goes through the {@link RouteFilter}, so no route can
 * skip authentication or the audit log.
 */
public final class RouteTable {

    private final RoutesConfig routes;
    private final RouteFilter filter;
    private final List<Route> served = new ArrayList<>();

    public RouteTable(RoutesConfig routes, RouteFilter filter) {
        this.routes = routes;
        this.filter = filter;
    }

    public void get(String path, Access access, Handler handler) {
        add("GET", path, access, handler, false);
    }

    /** A GET that changes something (a browser redirect target): recorded in the audit log like a POST. */
    public void getAudited(String path, Access access, Handler handler) {
        add("GET", path, access, handler, true);
    }

    public void post(String path, Access access, Handler handler) {
        add("POST", path, access, handler, true);
    }

    public void put(String path, Access access, Handler handler) {
        add("PUT", path, access, handler, true);
    }

    public void patch(String path, Access access, Handler handler) {
        add("PATCH", path, access, handler, true);
    }

    public void delete(String path, Access access, Handler handler) {
        add("DELETE", path, access, handler, true);
    }

    /**
     * A route answering every method (a proxy): recorded once as {@code ANY}. Not audited: it
     * carries traffic, not changes to Wrenn's own resources.
     */
    public void anyMethod(String path, Access access, Handler handler) {
        Route route = new Route("ANY", path, access, false);
        served.add(route);
        Handler wrapped = filter.wrap(route, handler);
        routes.get(path, wrapped);
        routes.post(path, wrapped);
        routes.put(path, wrapped);
        routes.patch(path, wrapped);
        routes.delete(path, wrapped);
        routes.head(path, wrapped);
        routes.options(path, wrapped);
    }

    private void add(String method, String path, Access access, Handler handler, boolean audited) {
        Route route = new Route(method, path, access, audited);
        served.add(route);
        Handler wrapped = filter.wrap(route, handler);
        switch (method) {
            case "GET" -> routes.get(path, wrapped);
            case "POST" -> routes.post(path, wrapped);
            case "PUT" -> routes.put(path, wrapped);
            case "PATCH" -> routes.patch(path, wrapped);
            case "DELETE" -> routes.delete(path, wrapped);
            default -> throw new IllegalArgumentException("unsupported method " + method);
        }
    }

    /**
     * A WebSocket route: served as {@code GET} (the upgrade request), so the spec lists it as one.
     * The filter (authentication) runs on the upgrade request, before {@code beforeUpgrade}.
     */
    public void websocket(String path, Access access, Handler beforeUpgrade,
                          java.util.function.Consumer<io.javalin.websocket.WsConfig> socket) {
        Route route = new Route("GET", path, access, false);
        served.add(route);
        routes.wsBeforeUpgrade(path, filter.wrap(route, beforeUpgrade));
        routes.ws(path, socket);
        // A plain GET (no upgrade) gets the same checks, then a clear 400 instead of "no such route".
        routes.get(path, filter.wrap(route, ctx -> {
            beforeUpgrade.handle(ctx);
            throw ApiException.invalid("this route is a WebSocket: send an upgrade request");
        }));
    }

    public List<Route> served() {
        return List.copyOf(served);
    }
}
