package io.wrenn.controlplane.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/sandboxes/{id}/console} against a fake host: what it asks the host, and what it refuses. */
class ConsoleApiTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    private static String create() {
        Http.Response response = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    private static String hostId(String wireId) {
        return WireId.SANDBOX.decode(wireId).orElseThrow().toString();
    }

    @Test
    void aRunningOrPausedSandboxsConsoleEndIsReadFromItsHost() {
        String id = create();
        wrenn.agent.consoles.put(hostId(id), "[    0.000000] Linux version 6.1\nenvd started\n");

        Http.Response response = http.get("/v1/sandboxes/" + id + "/console");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("console").stringValue()).isEqualTo("[    0.000000] Linux version 6.1\nenvd started\n");
        assertThat(body.get("truncated").booleanValue()).isFalse();
        assertThat(wrenn.agent.consoleReads.getLast().getMaxBytes()).as("the default").isEqualTo(64 * 1024);
        assertThat(wrenn.agent.consoleReads.getLast().getSandboxId()).isEqualTo(hostId(id));

        JsonNode end = http.get("/v1/sandboxes/" + id + "/console?bytes=13").json();
        assertThat(end.get("console").stringValue()).isEqualTo("envd started\n");
        assertThat(end.get("truncated").booleanValue()).isTrue();
        assertThat(wrenn.agent.consoleReads.getLast().getMaxBytes()).isEqualTo(13);
        assertThat(http.get("/v1/sandboxes/" + id + "/console?bytes=262144").status()).isEqualTo(200);

        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "{}").status()).isEqualTo(200);
        Http.Response paused = http.get("/v1/sandboxes/" + id + "/console");
        assertThat(paused.status()).as("a paused sandbox keeps its console").isEqualTo(200);
        assertThat(paused.json().get("console").stringValue()).endsWith("envd started\n");
    }

    @Test
    void aStoppedSandboxsConsoleIsGone() {
        String id = create();
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isLessThan(300);
        int reads = wrenn.agent.consoleReads.size();

        Http.Response response = http.get("/v1/sandboxes/" + id + "/console");

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.code()).isEqualTo("invalid_state");
        assertThat(response.json().get("message").stringValue()).contains("stopped");
        assertThat(wrenn.agent.consoleReads).as("the host is not asked").hasSize(reads);
    }

    @Test
    void anotherTeamsSandboxIsNotFoundLikeAnUnknownOne() {
        String id = create();
        wrenn.agent.consoles.put(hostId(id), "team A's secret\n");
        Http other = http.withKey(wrenn.controlPlane.createTeamApiKey("other-team-" + System.nanoTime()));

        Http.Response refused = other.get("/v1/sandboxes/" + id + "/console");
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.code()).isEqualTo("sandbox_not_found");
        assertThat(refused.text()).doesNotContain("secret");
        Http.Response unknown = http.get("/v1/sandboxes/sb-0000000000000000000000001/console");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("sandbox_not_found");
        assertThat(http.withKey(null).get("/v1/sandboxes/" + id + "/console").status()).isEqualTo(401);
    }

    @Test
    void badQueriesAre400AndReachNoHost() {
        String id = create();
        int reads = wrenn.agent.consoleReads.size();
        for (String query : List.of("bytes=0", "bytes=262145", "bytes=-1", "bytes=x", "bytes=1.5", "bytes=",
                "bytes=99999999999", "bytes=1&bytes=2", "limit=5")) {
            Http.Response bad = http.get("/v1/sandboxes/" + id + "/console?" + query);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.code()).as(query).isEqualTo("invalid_request");
            assertThat(bad.json().get("message").stringValue()).as(query).isNotBlank();
        }
        assertThat(wrenn.agent.consoleReads).hasSize(reads);
    }

    @Test
    void aHostThatDoesNotAnswerIs503AndOneThatLostTheSandboxIs404() {
        String id = create();
        wrenn.agent.down = true;
        try {
            Http.Response down = http.get("/v1/sandboxes/" + id + "/console");
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.code()).isEqualTo("host_unavailable");
        } finally {
            wrenn.agent.down = false;
        }
        wrenn.agent.vanish(WireId.SANDBOX.decode(id).orElseThrow());
        Http.Response lost = http.get("/v1/sandboxes/" + id + "/console");
        assertThat(lost.status()).isEqualTo(404);
        assertThat(lost.code()).isEqualTo("sandbox_not_found");
    }
}
