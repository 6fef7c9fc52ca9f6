package io.wrenn.envd.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.wrenn.envd.connect.ConnectException;

import java.io.IOException;
import java.util.Map;

/**
 * An exact-path HTTP route with one handler per method. Failures reported as
 * {@link ConnectException} become the matching HTTP status with a JSON error body.
 */
public final class Route implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(Route.class.getName());

    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final String path;
    private final Map<String, Handler> byMethod;

    public Route(String path, Map<String, Handler> byMethod) {
        this.path = path;
        this.byMethod = Map.copyOf(byMethod);
    }

    public String path() {
        return path;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                HttpResponses.error(exchange, 404, "no route " + exchange.getRequestURI().getPath());
                return;
            }
            Handler handler = byMethod.get(exchange.getRequestMethod());
            if (handler == null) {
                HttpResponses.methodNotAllowed(exchange, String.join(", ", byMethod.keySet()));
                return;
            }
            try {
                handler.handle(exchange);
            } catch (ConnectException e) {
                if (exchange.getResponseCode() < 0) {
                    HttpResponses.error(exchange, e);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "error on " + path, e);
                if (exchange.getResponseCode() < 0) {
                    HttpResponses.error(exchange, 500, "internal error: " + e);
                }
            }
        }
    }
}
