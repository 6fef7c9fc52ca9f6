package io.wrenn.controlplane.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers routes with Javalin and remembers them, so a test can hold the served routes
 * against openapi.yaml: a route cannot be added without showing up there.
 */
public final class RouteTable {

    private final RoutesConfig routes;
    private final List<Route> served = new ArrayList<>();

    public RouteTable(RoutesConfig routes) {
        this.routes = routes;
    }

    public void get(String path, Handler handler) {
        served.add(new Route("GET", path));
        routes.get(path, handler);
    }

    public void post(String path, Handler handler) {
        served.add(new Route("POST", path));
        routes.post(path, handler);
    }

    public void put(String path, Handler handler) {
        served.add(new Route("PUT", path));
        routes.put(path, handler);
    }

    public void delete(String path, Handler handler) {
        served.add(new Route("DELETE", path));
        routes.delete(path, handler);
    }

    /** A WebSocket route: served as {@code GET} (the upgrade request), so the spec lists it as one. */
    public void websocket(String path, Handler beforeUpgrade, java.util.function.Consumer<io.javalin.websocket.WsConfig> socket) {
        served.add(new Route("GET", path));
        routes.wsBeforeUpgrade(path, beforeUpgrade);
        routes.ws(path, socket);
    }

    public List<Route> served() {
        return List.copyOf(served);
    }
}
