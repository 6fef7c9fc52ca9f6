package io.wrenn.hostagent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} of the host agent in Prometheus' text format, on a listener of its own,
 * for operators only: every request must carry {@code Authorization: Bearer <metrics token>}
 * (Prometheus' {@code authorization.credentials_file}); anything else is 401, any other path 404.
 */
public final class MetricsEndpoint implements AutoCloseable {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final byte[] expected;
    private final Supplier<String> scrape;

    public MetricsEndpoint(String bindHost, int port, String token, Supplier<String> scrape) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a metrics token is required");
        }
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.scrape = scrape;
        try {
            server = HttpServer.create(new InetSocketAddress(bindHost, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindHost + ":" + port, e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().close();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null
                    || !MessageDigest.isEqual(expected, authorization.getBytes(StandardCharsets.UTF_8))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                send(exchange, 401, "application/json", "{\"code\":\"unauthorized\",\"message\":\"a metrics token is required\"}");
                return;
            }
            if (!"/metrics".equals(exchange.getRequestURI().getPath()) || !"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 404, "application/json", "{\"code\":\"not_found\",\"message\":\"only GET /metrics is served here\"}");
                return;
            }
            send(exchange, 200, CONTENT_TYPE, scrape.get());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
