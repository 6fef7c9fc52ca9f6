package io.wrenn.envd.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/**
 * Lets browsers call envd (the E2B JS SDK does, through the platform's proxy): any origin,
 * preflight answered before the access-token check (browsers send no custom headers on it),
 * and the headers Connect and file downloads use exposed to scripts.
 */
public final class CorsFilter extends Filter {
    private static final String EXPOSED = "Content-Type, Content-Length, Content-Range, Content-Disposition, Accept-Ranges, "
            + "Connect-Protocol-Version, Connect-Content-Encoding, Connect-Accept-Encoding, Grpc-Status, Grpc-Message, "
            + "X-Envd-Version";

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Origin", "*");
        headers.set("Access-Control-Expose-Headers", EXPOSED);
        if (exchange.getRequestMethod().equals("OPTIONS")) {
            try (exchange) {
                headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
                String requested = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
                headers.set("Access-Control-Allow-Headers", requested == null ? "*" : requested);
                headers.set("Access-Control-Max-Age", "7200");
                exchange.sendResponseHeaders(204, -1);
            }
            return;
        }
        chain.doFilter(exchange);
    }

    @Override
    public String description() {
        return "CORS";
    }
}
