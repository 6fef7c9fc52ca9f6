package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * The inbound path beyond plain requests, against one real sandbox running a server of its own
 * on port 8000 (a WebSocket echo, a streamed answer, and an echo of the Host it saw): WebSockets
 * through both public routes with the traffic token (and refused without it), a chunked answer
 * whose first line arrives while the server still holds the rest back, and
 * {@code mask_request_host} deciding the Host the server sees, on plain requests and on upgrades.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class InboundTrafficTest {

    private static final String PORT = "8000";
    private static final String DOMAIN = "sandboxes.wrenn.test";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private WrennFixture wrenn;
    private String sandbox;
    private String trafficToken;

    @BeforeAll
    void start() throws IOException {
        wrenn = WrennFixture.start(null, DOMAIN);
        WrennClient.Response created = wrenn.client().post("/e2b/sandboxes", Map.of("templateID", "debian", "timeout", 600,
                "network", Map.of("allowPublicTraffic", false)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        sandbox = created.json().path("sandboxID").asString();
        trafficToken = created.json().path("trafficAccessToken").asString();
        try (InputStream script = getClass().getResourceAsStream("/e2b/inbound-server.py")) {
            WrennClient.Response put = wrenn.client().put("/v1/sandboxes/" + sandbox + "/files?path=/tmp/inbound.py", script.readAllBytes());
            assertThat(put.status()).as(put.toString()).isBetween(200, 204);
        }
        wrenn.client().exec(sandbox, "/bin/sh", "-c", "setsid python3 /tmp/inbound.py </dev/null >/tmp/inbound.log 2>&1 &");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> get("/host").statusCode() == 200);
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void aWebSocketEchoesThroughTheHeaderRoute() throws Exception {
        Messages messages = new Messages();
        WebSocket socket = http.newWebSocketBuilder()
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", PORT).header("e2b-traffic-access-token", trafficToken)
                .buildAsync(URI.create("ws://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox/ws"), messages)
                .get(60, TimeUnit.SECONDS);
        try {
            socket.sendText("hello", true).get(30, TimeUnit.SECONDS);
            assertThat(messages.next()).startsWith("echo hello via ");
            socket.sendText("again", true).get(30, TimeUnit.SECONDS);
            assertThat(messages.next()).startsWith("echo again via ");
        } finally {
            socket.abort();
        }
    }

    @Test
    void aWebSocketWithoutTheTrafficTokenIsRefused() {
        CompletableFuture<WebSocket> refused = http.newWebSocketBuilder()
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", PORT)
                .buildAsync(URI.create("ws://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox/ws"), new Messages());
        assertThatThrownBy(() -> refused.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
    }

    @Test
    void aWebSocketEchoesThroughTheHostRoute() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", wrenn.apiPort())) {
            socket.setSoTimeout(60_000);
            String key = Base64.getEncoder().encodeToString("wrenn-test-key16".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: " + PORT + "-" + sandbox + "." + DOMAIN + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "e2b-traffic-access-token: " + trafficToken + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-accept");
            byte[] payload = "by host".getBytes(StandardCharsets.US_ASCII);
            byte[] mask = {1, 2, 3, 4};
            out.write(new byte[] {(byte) 0x81, (byte) (0x80 | payload.length)});
            out.write(mask);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ mask[i % 4]);
            }
            out.flush();
            assertThat(in.readUnsignedByte()).isEqualTo(0x81);
            byte[] reply = new byte[in.readUnsignedByte()];
            in.readFully(reply);
            assertThat(new String(reply, StandardCharsets.UTF_8)).startsWith("echo by host via ");
        }
    }

    @Test
    void aStreamedAnswerArrivesBeforeItEnds() throws Exception {
        HttpResponse<InputStream> response = http.send(traffic("/stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            // The server holds its second line until /release: the first must get through alone.
            assertThat(CompletableFuture.supplyAsync(() -> readLine(lines)).get(60, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(get("/release").statusCode()).isEqualTo(200);
            assertThat(readLine(lines)).isEqualTo("second");
            assertThat(readLine(lines)).isNull();
        }
    }

    @Test
    void theMaskDecidesTheHostTheServerSees() throws Exception {
        assertThat(get("/host").body()).endsWith(":" + PORT).doesNotContain("masked");
        WrennClient.Response put = wrenn.client().send("PUT", "/v1/sandboxes/" + sandbox + "/network", "application/json",
                "{\"allow_public_traffic\":false,\"mask_request_host\":\"masked.example:${PORT}\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        try {
            assertThat(get("/host").body()).isEqualTo("masked.example:" + PORT);
            Messages messages = new Messages();
            WebSocket socket = http.newWebSocketBuilder()
                    .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", PORT).header("e2b-traffic-access-token", trafficToken)
                    .buildAsync(URI.create("ws://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox/ws"), messages)
                    .get(60, TimeUnit.SECONDS);
            try {
                socket.sendText("masked", true).get(30, TimeUnit.SECONDS);
                assertThat(messages.next()).isEqualTo("echo masked via masked.example:" + PORT);
            } finally {
                socket.abort();
            }
            WrennClient.Response bad = wrenn.client().send("PUT", "/v1/sandboxes/" + sandbox + "/network", "application/json",
                    "{\"allow_public_traffic\":false,\"mask_request_host\":\"a\\r\\nX-Injected: 1\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(get("/host").body()).isEqualTo("masked.example:" + PORT);
        } finally {
            wrenn.client().send("PUT", "/v1/sandboxes/" + sandbox + "/network", "application/json",
                    "{\"allow_public_traffic\":false}".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void theMaskHoldsAcrossAPauseAndAResumeWhichReplacesTheTrafficToken() throws Exception {
        WrennClient.Response put = wrenn.client().send("PUT", "/v1/sandboxes/" + sandbox + "/network", "application/json",
                "{\"allow_public_traffic\":false,\"mask_request_host\":\"kept.example\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        String before = trafficToken;
        try {
            assertThat(wrenn.client().post("/v1/sandboxes/" + sandbox + "/pause", Map.of()).status()).isEqualTo(200);
            assertThat(wrenn.client().post("/v1/sandboxes/" + sandbox + "/resume", Map.of()).status()).isEqualTo(200);
            // A resume gives the guest a new access token, and the traffic token derived from it changes with it.
            // (an E2B client reads the current one from a connect)
            trafficToken = wrenn.client().post("/e2b/sandboxes/" + sandbox + "/connect", Map.of("timeout", 600)).json()
                    .path("trafficAccessToken").asString();
            assertThat(trafficToken).isNotBlank().isNotEqualTo(before);
            // the server ran on in the saved memory; the mask is the sandbox's, not its VM's
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> get("/host").statusCode() == 200);
            assertThat(get("/host").body()).isEqualTo("kept.example");
            HttpResponse<String> stale = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox/host"))
                    .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", PORT).header("e2b-traffic-access-token", before)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(stale.statusCode()).as("the token from before the pause").isEqualTo(401);
        } finally {
            wrenn.client().send("PUT", "/v1/sandboxes/" + sandbox + "/network", "application/json",
                    "{\"allow_public_traffic\":false}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private HttpRequest.Builder traffic(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox" + path))
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", PORT).header("e2b-traffic-access-token", trafficToken);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(traffic(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Collects whole text messages. */
    private static final class Messages implements WebSocket.Listener {
        private final java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String message = received.poll(60, TimeUnit.SECONDS);
            assertThat(message).as("a message within a minute").isNotNull();
            return message;
        }
    }
}
