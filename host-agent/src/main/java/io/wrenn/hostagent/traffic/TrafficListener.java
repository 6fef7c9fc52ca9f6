package io.wrenn.hostagent.traffic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxException;
import io.wrenn.hostagent.sandbox.SandboxManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host agent's traffic listener: plain HTTP/1.1 on the agent's address, for the control
 * plane only (every request must carry the agent's shared secret). A request names a sandbox
 * and a port in {@link TrafficHeaders}; it is forwarded to that port at the sandbox
 * namespace's address (DNAT to the guest) over the connection of the sandbox's current
 * incarnation (never a client shared between sandboxes: a slot's address recurs, and a
 * connection to its previous occupant must never carry a request for the next), and both bodies are streamed chunk by chunk, so
 * Connect server streams, long polls, uploads and downloads pass without being held whole.
 * The {@code Wrenn-*} headers are dropped both ways; every other end-to-end header passes
 * unchanged. The listener's own answers (no secret, no such sandbox, nothing on the port) carry
 * {@link TrafficHeaders#ERROR} with their code, which no answer from a sandbox can.
 */
public final class TrafficListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficListener.class);
    private static final int BUFFER = 64 * 1024;

    private final SandboxManager sandboxes;
    private final byte[] secret;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;

    public TrafficListener(String bindHost, int port, String sharedSecret, SandboxManager sandboxes) {
        this.sandboxes = sandboxes;
        this.secret = sharedSecret.getBytes(StandardCharsets.UTF_8);
        try {
            server = HttpServer.create(new InetSocketAddress(bindHost, port), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindHost + ":" + port, e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public TrafficListener start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String presented = exchange.getRequestHeaders().getFirst(TrafficHeaders.AGENT_SECRET);
            if (presented == null || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
                reply(exchange, 401, "unauthorized", "missing or wrong agent secret");
                return;
            }
            String sandboxId = exchange.getRequestHeaders().getFirst(TrafficHeaders.SANDBOX_ID);
            int port = port(exchange.getRequestHeaders().getFirst(TrafficHeaders.SANDBOX_PORT));
            if (port < 0) {
                reply(exchange, 400, "invalid_request", "Wrenn-Sandbox-Port must be 1-65535");
                return;
            }
            Sandbox sandbox;
            try {
                sandbox = sandboxes.running(sandboxId);
            } catch (SandboxException e) {
                SandboxRefusal refusal = SandboxRefusal.of(e);
                reply(exchange, refusal.status(), refusal.code(), e.getMessage());
                return;
            }
            forward(exchange, sandbox, port);
        }
    }

    private void forward(HttpExchange exchange, Sandbox sandbox, int port) throws IOException {
        URI incoming = exchange.getRequestURI();
        String pathAndQuery = incoming.getRawPath() + (incoming.getRawQuery() == null ? "" : "?" + incoming.getRawQuery());
        HttpRequest.Builder request = HttpRequest.newBuilder()
                .method(exchange.getRequestMethod(), requestBody(exchange));
        String maskedHost = exchange.getRequestHeaders().getFirst(TrafficHeaders.REQUEST_HOST);
        if (maskedHost != null) {
            if (!RequestHost.ALLOWED) {
                reply(exchange, 500, "internal", "this agent cannot set the Host header (jdk.httpclient.allowRestrictedHeaders)");
                return;
            }
            if (!RequestHost.valid(maskedHost)) {
                reply(exchange, 400, "invalid_request", TrafficHeaders.REQUEST_HOST + " is not a host name");
                return;
            }
            request.header("Host", maskedHost);
        }
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (TrafficHeaders.forwardable(header.getKey())) {
                for (String value : header.getValue()) {
                    try {
                        request.header(header.getKey(), value);
                    } catch (IllegalArgumentException e) {
                        // A header the JDK client sets itself (Date, Via, ...): not end-to-end content.
                    }
                }
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = sandbox.guest().forward(port, pathAndQuery, request);
        } catch (IOException e) {
            LOG.debug("sandbox {} port {}: {}", sandbox.id(), port, e.toString());
            reply(exchange, 502, "port_not_open", "nothing answered on port " + port + " in the sandbox");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (InputStream body = response.body()) {
            response.headers().map().forEach((name, values) -> {
                if (TrafficHeaders.forwardable(name)) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            long length = response.headers().firstValueAsLong("content-length").orElse(-1);
            boolean noBody = exchange.getRequestMethod().equalsIgnoreCase("HEAD")
                    || response.statusCode() == 204 || response.statusCode() == 304;
            exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : length > 0 ? length : length == 0 ? -1 : 0);
            if (!noBody) {
                copy(body, exchange.getResponseBody());
            }
        }
    }

    private static HttpRequest.BodyPublisher requestBody(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        boolean chunked = exchange.getRequestHeaders().containsKey("Transfer-Encoding");
        if (!chunked && (length == null || length.equals("0"))) {
            return HttpRequest.BodyPublishers.noBody();
        }
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
        if (chunked) {
            return stream;
        }
        try {
            return HttpRequest.BodyPublishers.fromPublisher(stream, Long.parseLong(length));
        } catch (NumberFormatException e) {
            return stream;
        }
    }

    /** Copies as it arrives: each read is flushed, so a stream's messages are not held back. */
    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    /** A port header's value, or -1 when it is not a port number. */
    static int port(String value) {
        try {
            int port = value == null ? -1 : Integer.parseInt(value);
            return port >= 1 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An answer of the listener itself, marked so that the control plane never takes it for the sandbox's. */
    private static void reply(HttpExchange exchange, int status, String code, String message) throws IOException {
        exchange.getResponseHeaders().set(TrafficHeaders.ERROR, code);
        byte[] body = ("{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
