package io.wrenn.controlplane.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Forks (Wrenn's {@code POST /v1/sandboxes/{id}/fork} and E2B's) and E2B's snapshot routes over
 * Wrenn's snapshot templates, against the fake host agent. The real VMs are in the E2B SDK suite.
 */
class ForkAndSnapshotRoutesTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    private static String sandbox(String metadata) {
        Http.Response created = http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"metadata\":" + metadata + "}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    @Test
    void aForkMakesRunningCopiesAndLeavesTheSourceRunning() {
        String source = sandbox("{\"role\":\"source\"}");
        Http.Response forked = http.post("/v1/sandboxes/" + source + "/fork", "{\"count\":3,\"timeout_s\":600}");
        assertThat(forked.status()).as(forked.toString()).isEqualTo(201);
        List<JsonNode> forks = forked.json().get("forks").valueStream().toList();
        assertThat(forks).hasSize(3);
        Set<String> ids = forks.stream().map(f -> f.get("sandbox").get("id").stringValue()).collect(Collectors.toSet());
        assertThat(ids).hasSize(3).doesNotContain(source);
        for (JsonNode fork : forks) {
            assertThat(fork.get("sandbox").get("status").stringValue()).isEqualTo("running");
            assertThat(fork.get("sandbox").get("metadata").get("role").stringValue()).isEqualTo("source");
        }
        assertThat(http.get("/v1/sandboxes/" + source).json().get("status").stringValue()).isEqualTo("running");
        // The snapshot behind them is the forks' own: not among the team's snapshots.
        assertThat(http.get("/v1/snapshots").json().get("snapshots").findValuesAsString("name"))
                .noneMatch(name -> name.startsWith("fork-"));
        assertThat(http.get("/e2b/snapshots").json().valueStream().toList()).isEmpty();
        String snapshot = wrenn.agent.snapshotCalls.getLast().getTeamId() + "/" + wrenn.agent.snapshotCalls.getLast().getName();
        assertThat(snapshot).contains("/fork-");
        java.time.Instant later = java.time.Instant.now().plusSeconds(60);
        String oneFork = ids.iterator().next();
        assertThat(http.delete("/v1/sandboxes/" + oneFork).status()).isIn(200, 204);
        wrenn.controlPlane.forks().collectUnused(later);
        assertThat(wrenn.agent.deletedTemplates).as("two forks still use it").doesNotContain(snapshot);
        for (String id : ids) {
            if (!id.equals(oneFork)) {
                assertThat(http.delete("/v1/sandboxes/" + id).status()).isIn(200, 204);
            }
        }
        wrenn.controlPlane.forks().collectUnused(java.time.Instant.now().minus(ForkService.COLLECT_AFTER));
        assertThat(wrenn.agent.deletedTemplates).as("a fork call may still be making copies of a young one").doesNotContain(snapshot);
        assertThat(wrenn.controlPlane.forks().collectUnused(later)).isEqualTo(1);
        assertThat(wrenn.agent.deletedTemplates).as("no fork left: the snapshot goes").contains(snapshot);
        assertThat(wrenn.controlPlane.forks().collectUnused(later)).as("once").isZero();
        assertThat(http.get("/v1/sandboxes/" + source).json().get("status").stringValue()).isEqualTo("running");
        assertThat(http.delete("/v1/sandboxes/" + source).status()).isIn(200, 204);
    }

    @Test
    void e2bReportsTheEnvdVersionTheGuestReported() {
        wrenn.agent.envdVersion = "0.7.12";
        try {
            Http.Response created = http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().get("envdVersion").stringValue()).isEqualTo("0.7.12");
            String id = created.json().get("sandboxID").stringValue();
            assertThat(http.get("/e2b/sandboxes/" + id).json().get("envdVersion").stringValue()).isEqualTo("0.7.12");
            assertThat(http.get("/e2b/v2/sandboxes").json().valueStream()
                    .filter(s -> s.get("sandboxID").stringValue().equals(id)).findFirst().orElseThrow()
                    .get("envdVersion").stringValue()).isEqualTo("0.7.12");
            http.delete("/e2b/sandboxes/" + id);
        } finally {
            wrenn.agent.envdVersion = "0.6.3";
        }
    }

    @Test
    void aSandboxWhoseEnvdVersionWasNeverRecordedReportsTheVersionOfThoseReleases() {
        wrenn.agent.envdVersion = "";
        try {
            Http.Response created = http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().get("envdVersion").stringValue()).isEqualTo("0.6.0");
            http.delete("/e2b/sandboxes/" + created.json().get("sandboxID").stringValue());
        } finally {
            wrenn.agent.envdVersion = "0.6.3";
        }
    }

    @Test
    void badForksAreRefusedAndChangeNothing() {
        String source = sandbox("{}");
        int before = http.get("/v1/sandboxes").json().get("sandboxes").size();
        assertThat(http.post("/v1/sandboxes/" + source + "/fork", "{\"count\":0}").status()).isEqualTo(400);
        assertThat(http.post("/v1/sandboxes/" + source + "/fork", "{\"count\":11}").status()).isEqualTo(400);
        assertThat(http.post("/v1/sandboxes/" + source + "/fork", "{\"colour\":1}").status()).isEqualTo(400);
        assertThat(http.post("/e2b/sandboxes/" + source + "/fork", "{\"count\":\"3\"}").status()).isEqualTo(400);
        assertThat(http.post("/v1/sandboxes/sb-nosuchsandbox/fork", "{}").status()).isEqualTo(404);
        assertThat(http.post("/v1/sandboxes/" + source + "/pause", "").status()).isEqualTo(200);
        Http.Response paused = http.post("/e2b/sandboxes/" + source + "/fork", "{}");
        assertThat(paused.status()).isEqualTo(409);
        assertThat(paused.json().get("code").intValue()).isEqualTo(409);
        assertThat(http.get("/v1/sandboxes").json().get("sandboxes").size()).isEqualTo(before);
        assertThat(wrenn.agent.snapshotCalls).noneMatch(call -> call.getSandboxId().isEmpty());
        http.delete("/v1/sandboxes/" + source);
    }

    @Test
    void e2bSnapshotsAreTheTeamsSnapshotTemplates() {
        String source = sandbox("{}");
        Http.Response made = http.post("/e2b/sandboxes/" + source + "/snapshots", "{\"name\":\"e2b-snap\"}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        assertThat(made.json().get("snapshotID").stringValue()).isEqualTo("e2b-snap");
        assertThat(made.json().get("names").findValuesAsString("names")).isEmpty();
        assertThat(made.json().get("names").get(0).stringValue()).isEqualTo("e2b-snap");
        assertThat(http.post("/e2b/sandboxes/" + source + "/snapshots", "{\"name\":\"Not Valid\"}").status()).isEqualTo(400);

        assertThat(http.get("/e2b/snapshots?sandboxID=" + source).json().findValuesAsString("snapshotID"))
                .containsExactly("e2b-snap");
        assertThat(http.get("/e2b/snapshots?sandboxID=sb-other").json().size()).isZero();
        assertThat(http.get("/e2b/snapshots?name=e2b-snap:default").json().size()).isEqualTo(1);
        assertThat(http.get("/e2b/snapshots?limit=0").status()).isEqualTo(400);
        assertThat(http.get("/e2b/snapshots?nextToken=forged").status()).isEqualTo(400);
        // An unnamed one gets a name; pages of one.
        assertThat(http.post("/e2b/sandboxes/" + source + "/snapshots", "").status()).isEqualTo(201);
        Http.Response first = http.get("/e2b/snapshots?limit=1");
        assertThat(first.json().size()).isEqualTo(1);
        Http.Response second = http.get("/e2b/snapshots?limit=1&nextToken=" + first.header("X-Next-Token"));
        assertThat(second.json().size()).isEqualTo(1);
        assertThat(second.header("X-Next-Token")).isNull();
        assertThat(second.json().get(0).get("snapshotID").stringValue())
                .isNotEqualTo(first.json().get(0).get("snapshotID").stringValue());

        Http.Response restored = http.post("/e2b/v2/sandboxes", "{\"templateID\":\"e2b-snap:default\",\"timeout\":60}");
        assertThat(restored.status()).as(restored.toString()).isEqualTo(201);
        String copy = restored.json().get("sandboxID").stringValue();
        assertThat(http.delete("/e2b/templates/e2b-snap").status()).as("in use").isEqualTo(409);
        assertThat(http.delete("/e2b/sandboxes/" + copy).status()).isEqualTo(204);
        assertThat(http.delete("/e2b/templates/e2b-snap").status()).isEqualTo(204);
        assertThat(http.delete("/e2b/templates/e2b-snap").status()).isEqualTo(404);
        assertThat(http.delete("/e2b/templates/minimal").status()).as("a base image is not the team's").isEqualTo(404);
        http.delete("/v1/sandboxes/" + source);
    }

    @Test
    void connectWithoutATimeoutKeepsALaterEnd() {
        Http.Response created = http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"timeout_s\":1200}");
        String source = created.json().get("id").stringValue();
        Http.Response connected = http.post("/e2b/v2/sandboxes/" + source + "/connect", "{}");
        assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
        assertThat(connected.json().get("sandboxID").stringValue()).isEqualTo(source);
        String end = http.get("/e2b/sandboxes/" + source).json().get("endAt").stringValue();
        assertThat(java.time.Instant.parse(end)).isAfter(java.time.Instant.now().plusSeconds(1000));
        http.delete("/v1/sandboxes/" + source);
    }
}
