package io.wrenn.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** A sandbox's events through {@code GET /v1/sandboxes/{id}/logs}, against a fake host. */
class SandboxLogsTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    private static String create() {
        Http.Response response = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    private static List<String> events(JsonNode logs) {
        List<String> events = new ArrayList<>();
        logs.get("events").forEach(e -> events.add(e.get("event").stringValue()));
        return events;
    }

    @Test
    void aSandboxsLifecycleAndTheCallsMadeOnItAreListedOldestFirst() {
        String id = create();
        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "{}").status()).isEqualTo(200);
        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "{}").status()).isEqualTo(409);
        assertThat(http.post("/v1/sandboxes/" + id + "/resume", "{}").status()).isEqualTo(200);
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isLessThan(300);
        String other = create();

        Http.Response response = http.get("/v1/sandboxes/" + id + "/logs");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode logs = response.json();
        assertThat(logs.get("sandbox_id").stringValue()).isEqualTo(id);
        List<String> events = events(logs);
        // The create's entry was written as its call arrived, before the sandbox's row.
        assertThat(events).startsWith("POST /v1/sandboxes", "created", "running").contains("stopped")
                .containsSubsequence("POST /v1/sandboxes", "POST /v1/sandboxes/{id}/pause",
                        "POST /v1/sandboxes/{id}/pause", "POST /v1/sandboxes/{id}/resume", "DELETE /v1/sandboxes/{id}");
        JsonNode refusedPause = null;
        for (JsonNode event : logs.get("events")) {
            assertThat(event.has("client_address")).isFalse();
            if (event.get("event").stringValue().endsWith("/pause") && event.get("status").intValue() == 409) {
                refusedPause = event;
            }
        }
        assertThat(refusedPause).isNotNull();
        assertThat(refusedPause.get("outcome").stringValue()).isEqualTo("failure");
        assertThat(refusedPause.get("actor").stringValue()).startsWith("key-");
        assertThat(response.text()).doesNotContain(other).doesNotContain("@");

        List<String> newest = events(http.get("/v1/sandboxes/" + id + "/logs?limit=2").json());
        assertThat(newest).hasSize(2).isEqualTo(events.subList(events.size() - 2, events.size()));
    }

    @Test
    void anotherTeamsSandboxIsNotFoundAndBadQueriesAre400() {
        String id = create();
        Http other = http.withKey(wrenn.controlPlane.createTeamApiKey("other-team-" + System.nanoTime()));
        Http.Response refused = other.get("/v1/sandboxes/" + id + "/logs");
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.code()).isEqualTo("sandbox_not_found");
        assertThat(http.get("/v1/sandboxes/sb-0000000000000000000000000/logs").status()).isEqualTo(404);
        assertThat(http.withKey(null).get("/v1/sandboxes/" + id + "/logs").status()).isEqualTo(401);
        for (String query : List.of("limit=0", "limit=1001", "limit=x", "limit=1&limit=2", "since=1")) {
            Http.Response bad = http.get("/v1/sandboxes/" + id + "/logs?" + query);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.code()).as(query).isEqualTo("invalid_request");
        }
    }
}
