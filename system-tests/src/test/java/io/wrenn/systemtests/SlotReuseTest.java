package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * The traffic path never mixes two sandboxes: sandboxes made from a snapshot and destroyed back
 * to back follow each other on the host's network slots, and the first calls into each new one
 * (a process start and a file write through the E2B traffic route, at once, as the SDK makes
 * them) must all reach it. A connection kept alive to a destroyed sandbox at a recurring address
 * made about one such call in three fail: the 48 calls of 24 rounds would all pass with such a
 * fault once in some 300 million runs.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class SlotReuseTest {

    private static final int ROUNDS = 24;
    private static final String SNAPSHOT = "reuse-snap";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private WrennFixture wrenn;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        WrennClient api = wrenn.client();
        String source = api.createSandbox(Map.of("template", "debian")).get("id").asString();
        WrennClient.Response snapshot = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", SNAPSHOT));
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(201);
        assertThat(api.delete("/v1/sandboxes/" + source).status()).isEqualTo(204);
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void theFirstCallsIntoEachOfManyBackToBackSandboxesReachIt() {
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            WrennClient.Response created = wrenn.client().post("/e2b/sandboxes", Map.of("templateID", SNAPSHOT, "timeout", 300));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().path("sandboxID").asString();
            String token = created.json().path("envdAccessToken").asString();
            try {
                String marker = "round-" + round;
                HttpResponse<byte[]> started = send(envd(id, token, "/process.Process/Start")
                        .header("Content-Type", "application/connect+json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(envelope(
                                "{\"process\":{\"cmd\":\"/bin/echo\",\"args\":[\"" + marker + "\"]}}"))));
                // Answered by the sandbox's own envd (another one would refuse its token) and run to the end.
                String events = new String(started.body(), StandardCharsets.UTF_8);
                if (started.statusCode() != 200 || !events.contains("\"exitCode\":0") || !events.contains("\"exited\":true")) {
                    failures.add(round + " start: " + started.statusCode() + " " + events);
                }
                HttpResponse<byte[]> written = send(envd(id, token, "/files?path=/tmp/" + marker + "&username=user")
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(marker)));
                if (written.statusCode() / 100 != 2) {
                    failures.add(round + " write: " + written.statusCode() + " " + new String(written.body(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                failures.add(round + ": " + e);
            } finally {
                assertThat(wrenn.client().delete("/e2b/sandboxes/" + id).status()).isEqualTo(204);
            }
        }
        assertThat(failures).as("calls that did not reach their new sandbox").isEmpty();
        assertThat(wrenn.runningVmCount()).isZero();
    }

    private HttpRequest.Builder envd(String sandbox, String token, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox" + pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .header("E2b-Sandbox-Id", sandbox)
                .header("E2b-Sandbox-Port", "49983")
                .header("X-Access-Token", token)
                .header("Connect-Protocol-Version", "1")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("user:".getBytes(StandardCharsets.UTF_8)));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** One Connect message: flags, big-endian length, JSON. */
    private static byte[] envelope(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(payload.length).array());
        out.writeBytes(payload);
        return out.toByteArray();
    }
}
