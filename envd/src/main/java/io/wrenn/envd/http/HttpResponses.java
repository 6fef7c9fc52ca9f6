package io.wrenn.envd.http;

import com.sun.net.httpserver.HttpExchange;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.json.Json;

import java.io.IOException;
import java.util.LinkedHashMap;

/** Replies for the plain HTTP routes (not Connect): JSON bodies and {@code {"code": <status>, "message"}} errors. */
public final class HttpResponses {
    private HttpResponses() {
    }

    public static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.writeBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    public static void noContent(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(204, -1);
    }

    public static void error(HttpExchange exchange, int status, String message) throws IOException {
        var body = new LinkedHashMap<String, Object>();
        body.put("code", status);
        body.put("message", message);
        json(exchange, status, body);
    }

    public static void error(HttpExchange exchange, ConnectException e) throws IOException {
        error(exchange, e.code().httpStatus(), e.getMessage());
    }

    public static void methodNotAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        error(exchange, 405, "method not allowed");
    }
}
