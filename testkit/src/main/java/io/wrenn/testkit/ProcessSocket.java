package io.wrenn.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain WebSocket client of {@code /v1/sandboxes/{id}/processes/stream} for tests, built on
 * the JDK's client: it sends the documented JSON messages and queues what arrives, so tests
 * check the wire. One message is read from the network per {@link #next} call.
 */
public final class ProcessSocket implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Queued when the server closes the socket: {@code {"type":"closed","code":N,"reason":"…"}}. */
    public static final String CLOSED = "closed";

    private final WebSocket socket;
    private final BlockingQueue<JsonNode> received;

    private ProcessSocket(WebSocket socket, BlockingQueue<JsonNode> received) {
        this.socket = socket;
        this.received = received;
    }



    /** Opens the socket with the API key in the {@code X-API-Key} header. */
    public static ProcessSocket open(URI api, String apiKey, String sandboxId) {
        return connect(api, "/v1/sandboxes/" + sandboxId + "/processes/stream", apiKey);
    }

    /** Opens the socket as a browser would: no header, a single-use token in the URL ({@code url_path} of ws-token). */
    public static ProcessSocket openWithToken(URI api, String urlPath) {
        return connect(api, urlPath, null);
    }

    private static ProcessSocket connect(URI api, String path, String apiKey) {
        BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        Listener listener = new Listener(received);
        URI uri = URI.create(api.toString().replaceFirst("^http", "ws") + path);
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (apiKey != null) {
            builder.header("X-API-Key", apiKey);
        }
        WebSocket socket = builder
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener)
                .join();
        return new ProcessSocket(socket, received);
    }

    public void send(Map<String, ?> message) {
        socket.sendText(JSON.writeValueAsString(message), true).join();
    }

    public void stdin(String text) {
        send(Map.of("type", "stdin", "data", Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))));
    }

    /** The next message, waiting at most {@code timeout}; fails when none came. */
    public JsonNode next(Duration timeout) {
        try {
            JsonNode message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no message from the process socket within " + timeout);
            }
            // The next message is read from the network only now: a test that stops calling
            // next() is a slow client, whose unread frames wait in the kernel's socket buffers.
            socket.request(1);
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Reads messages until one of {@code type} arrives; returns it and everything decoded from
     * the output messages before it (stdout, stderr and pty text concatenated, in order).
     */
    public Until until(String type, Duration timeout) {
        StringBuilder output = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            String got = message.path("type").asString();
            if (got.equals(type)) {
                return new Until(message, output.toString());
            }
            if (got.equals("stdout") || got.equals("stderr") || got.equals("pty")) {
                output.append(text(message));
            } else if (!got.equals("started")) {
                throw new AssertionError("waiting for '" + type + "', got " + message + " after output: " + output);
            }
        }
    }

    /** Reads output until its concatenation contains {@code expected}; returns all of it. */
    public String outputUntil(String expected, Duration timeout) {
        StringBuilder output = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output.toString().contains(expected)) {
            JsonNode message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            String got = message.path("type").asString();
            if (got.equals("stdout") || got.equals("stderr") || got.equals("pty")) {
                output.append(text(message));
            } else if (!got.equals("started")) {
                throw new AssertionError("waiting for '" + expected + "', got " + message + " after output: " + output);
            }
        }
        return output.toString();
    }

    public record Until(JsonNode message, String output) {
    }

    public static String text(JsonNode message) {
        return new String(Base64.getDecoder().decode(message.path("data").asString()), StandardCharsets.UTF_8);
    }

    /** Closes from the client side, as a user closing a browser tab would. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null).join();
        }
        socket.abort();
    }

    private static final class Listener implements WebSocket.Listener {
        private final BlockingQueue<JsonNode> received;
        private final StringBuilder partial = new StringBuilder();

        Listener(BlockingQueue<JsonNode> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            if (!last) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            received.add(JSON.createObjectNode().put("type", CLOSED).put("code", statusCode).put("reason", reason));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            received.add(JSON.createObjectNode().put("type", CLOSED).put("code", -1).put("reason", String.valueOf(error)));
        }
    }
}
