package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Pause, resume and snapshot templates through the REST API, with real VMs. One sandbox is
 * booted cold; every other one is restored from a snapshot of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class PauseAndSnapshotTest {
    private WrennFixture wrenn;
    private WrennClient api;
    private WrennClient otherTeam;
    private String source;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        otherTeam = api.withKey(wrenn.createTeamWithKey("other"));
        source = api.createSandbox(Map.of("template", "minimal", "env", Map.of("GREETING", "from-create")))
                .get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    private String sh(String sandbox, String script) {
        JsonNode result = api.exec(sandbox, "sh", "-c", script);
        assertThat(result.get("exit_code").asInt()).as(result.toString()).isZero();
        return result.get("stdout").asString().strip();
    }

    private JsonNode ok(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return status == 204 ? null : response.json();
    }

    private JsonNode pause(String sandbox) {
        return ok(api.post("/v1/sandboxes/" + sandbox + "/pause", Map.of()), 200);
    }

    private JsonNode resume(String sandbox) {
        return ok(api.post("/v1/sandboxes/" + sandbox + "/resume", Map.of()), 200);
    }

    private String status(String sandbox) {
        return api.get("/v1/sandboxes/" + sandbox).json().get("status").asString();
    }

    private void assertClockIsTheHosts(String sandbox) {
        long before = System.currentTimeMillis();
        // busybox date has no %N; a new file's mtime is the guest's clock with sub-second precision.
        String stamp = sh(sandbox, "touch /tmp/now && stat -c %y /tmp/now");
        long guest = OffsetDateTime.parse(stamp.replaceFirst(" ", "T").replaceFirst(" ([+-]\\d\\d)(\\d\\d)$", "$1:$2"))
                .toInstant().toEpochMilli();
        long after = System.currentTimeMillis();
        assertThat(guest).isBetween(before - 1000, after + 1000);
    }

    @Test
    @Order(1)
    void pauseAndResumeKeepFilesProcessesAndEnvAndFixTheClock() {
        sh(source, "echo kept > /home/user/note; setsid sh -c 'echo $$ > /tmp/loop.pid; while true; do sleep 1; done' >/dev/null 2>&1 &");
        await().until(() -> !sh(source, "cat /tmp/loop.pid 2>/dev/null || true").isEmpty());
        String loop = sh(source, "cat /tmp/loop.pid");

        JsonNode paused = pause(source);

        assertThat(paused.get("status").asString()).isEqualTo("paused");
        assertThat(paused.get("paused_at").isNull()).isFalse();
        Response again = api.post("/v1/sandboxes/" + source + "/pause", Map.of());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asString()).isEqualTo("invalid_state");
        assertThat(api.post("/v1/sandboxes/" + source + "/exec", Map.of("cmd", "true")).status()).isEqualTo(409);
        assertThat(wrenn.runningVmCount()).as("the host lists it, paused").isEqualTo(1);
        assertThat(api.get("/v1/sandboxes").json().findValuesAsString("id")).contains(source);

        assertThat(resume(source).get("status").asString()).isEqualTo("running");
        assertThat(sh(source, "cat /home/user/note")).isEqualTo("kept");
        assertThat(sh(source, "kill -0 " + loop + " && echo alive")).isEqualTo("alive");
        assertThat(sh(source, "echo $GREETING")).isEqualTo("from-create");
        assertClockIsTheHosts(source);
        assertThat(api.post("/v1/sandboxes/" + source + "/resume", Map.of()).status()).isEqualTo(409);
    }

    @Test
    @Order(2)
    void tenPauseResumeCyclesCountExactlyOneEach() {
        sh(source, "echo 0 > /home/user/counter");
        for (int cycle = 1; cycle <= 10; cycle++) {
            sh(source, "n=$(cat /home/user/counter); echo $((n + 1)) > /home/user/counter");
            pause(source);
            JsonNode resumed = resume(source);
            assertThat(resumed.get("status").asString()).isEqualTo("running");
            assertThat(sh(source, "cat /home/user/counter")).isEqualTo(Integer.toString(cycle));
        }
    }

    @Test
    @Order(3)
    void aSnapshotMakesIndependentSandboxesThatSeeItsFilesAndDiverge() {
        sh(source, "echo template-file > /home/user/from-template");
        JsonNode snapshot = ok(api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "base-snap")), 201);

        assertThat(snapshot.get("type").asString()).isEqualTo("snapshot");
        assertThat(snapshot.get("platform").asBoolean()).isFalse();
        assertThat(snapshot.get("size_bytes").asLong()).isPositive();
        assertThat(status(source)).as("the source keeps running").isEqualTo("running");
        assertThat(ok(api.get("/v1/snapshots/base-snap"), 200).get("id").asString()).isEqualTo(snapshot.get("id").asString());
        assertThat(ok(api.get("/v1/snapshots"), 200).findValuesAsString("name")).contains("base-snap");

        List<String> clones = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode clone = api.createSandbox(Map.of("template", "base-snap"));
            assertThat(clone.get("vcpus").asInt()).isEqualTo(snapshot.get("vcpus").asInt());
            assertThat(clone.get("memory_mb").asInt()).isEqualTo(snapshot.get("memory_mb").asInt());
            clones.add(clone.get("id").asString());
        }
        Set<String> randomness = new HashSet<>();
        for (String clone : clones) {
            assertThat(sh(clone, "cat /home/user/from-template")).isEqualTo("template-file");
            sh(clone, "echo " + clone + " > /home/user/from-template");
            randomness.add(sh(clone, "head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'"));
        }
        for (String clone : clones) {
            assertThat(sh(clone, "cat /home/user/from-template")).isEqualTo(clone);
        }
        assertThat(sh(source, "cat /home/user/from-template")).isEqualTo("template-file");
        assertThat(randomness).hasSize(3);
        assertClockIsTheHosts(clones.getFirst());

        Response otherMachine = api.post("/v1/sandboxes", Map.of("template", "base-snap", "memory_mb", 1024));
        assertThat(otherMachine.status()).isEqualTo(400);
        assertThat(ok(api.get("/v1/snapshots/base-snap"), 200).get("name").asString()).isEqualTo("base-snap");

        // In use: 409, and the snapshot stays.
        Response inUse = api.delete("/v1/snapshots/base-snap");
        assertThat(inUse.status()).isEqualTo(409);
        // Another team neither sees nor deletes it.
        assertThat(otherTeam.get("/v1/snapshots/base-snap").status()).isEqualTo(404);
        assertThat(otherTeam.delete("/v1/snapshots/base-snap").status()).isEqualTo(404);
        assertThat(otherTeam.post("/v1/sandboxes", Map.of("template", "base-snap")).status()).isEqualTo(404);

        for (String clone : clones) {
            ok(api.delete("/v1/sandboxes/" + clone), 204);
        }
        ok(api.delete("/v1/snapshots/base-snap"), 204);
        assertThat(api.get("/v1/snapshots/base-snap").status()).isEqualTo(404);
        assertThat(api.get("/v1/sandboxes/" + clones.getFirst()).json().get("template").asString()).isEqualTo("base-snap");
    }

    @Test
    @Order(4)
    void aPausedSandboxIsSnapshottedAndStaysPaused() {
        pause(source);
        JsonNode snapshot = ok(api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "from-paused")), 201);

        assertThat(snapshot.get("name").asString()).isEqualTo("from-paused");
        assertThat(status(source)).isEqualTo("paused");
        String child = api.createSandbox(Map.of("template", "from-paused")).get("id").asString();
        assertThat(sh(child, "cat /home/user/note")).isEqualTo("kept");
        ok(api.delete("/v1/sandboxes/" + child), 204);
        ok(api.delete("/v1/snapshots/from-paused"), 204);
        resume(source);
    }

    private WrennClient admin() {
        Response login = api.withKey(null).post("/v1/auth/login",
                Map.of("email", wrenn.wrenn().adminEmail(), "password", wrenn.wrenn().adminPassword()));
        return api.withToken(ok(login, 200).get("token").asString());
    }

    @Test
    @Order(5)
    void platformSnapshotsAreVisibleToAllAndDeletedOnlyByAdmins() {
        Response byMember = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "shared", "platform", true));
        assertThat(byMember.status()).as("only admins make platform snapshots").isEqualTo(403);
        WrennClient admin = admin();
        JsonNode shared = ok(admin.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "shared", "platform", true)), 201);
        assertThat(shared.get("platform").asBoolean()).isTrue();

        assertThat(ok(otherTeam.get("/v1/snapshots/shared"), 200).get("platform").asBoolean()).isTrue();
        Response forbidden = otherTeam.delete("/v1/snapshots/shared");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().get("code").asString()).isEqualTo("forbidden");
        Response taken = otherTeam.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "shared"));
        assertThat(taken.status()).isEqualTo(404);
        assertThat(api.delete("/v1/snapshots/shared").status()).as("an API key is no admin").isEqualTo(403);
        ok(admin.delete("/v1/snapshots/shared"), 204);
        assertThat(otherTeam.get("/v1/snapshots/shared").status()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void badSnapshotRequestsAreRefusedAndMakeNothing() {
        for (String name : List.of("", "UPPER", "-dash", "a/b", "..", "x".repeat(64), "spa ce")) {
            Response response = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", name));
            assertThat(response.status()).as(name).isEqualTo(400);
            assertThat(response.json().get("code").asString()).isEqualTo("invalid_request");
        }
        assertThat(api.post("/v1/snapshots", Map.of("name", "no-sandbox")).status()).isEqualTo(400);
        assertThat(api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "x", "extra", 1)).status()).isEqualTo(400);
        assertThat(api.post("/v1/snapshots", Map.of("sandbox_id", "sb-0000000000000000000000000", "name", "ghost"))
                .status()).isEqualTo(404);
        assertThat(api.post("/v1/snapshots", Map.of("sandbox_id", "nonsense", "name", "ghost")).status()).isEqualTo(404);
        assertThat(api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "minimal")).status())
                .as("a platform image's name").isEqualTo(409);
        assertThat(otherTeam.post("/v1/sandboxes/" + source + "/pause", Map.of()).status()).isEqualTo(404);
        assertThat(otherTeam.post("/v1/sandboxes/" + source + "/resume", Map.of()).status()).isEqualTo(404);
        assertThat(api.post("/v1/sandboxes", Map.of("template", "minimal", "on_timeout", "sleep")).status()).isEqualTo(400);
        assertThat(api.get("/v1/snapshots").json().get("snapshots")).isEmpty();
        assertThat(status(source)).isEqualTo("running");
    }

    @Test
    @Order(7)
    void aTimeoutWithOnTimeoutPausePausesTheSandbox() {
        String sandbox = api.createSandbox(Map.of("template", "minimal",
                "timeout_s", 1, "on_timeout", "pause")).get("id").asString();
        await().atMost(Duration.ofSeconds(60)).until(() -> status(sandbox).equals("paused"));
        assertThat(resume(sandbox).get("status").asString()).isEqualTo("running");
        ok(api.delete("/v1/sandboxes/" + sandbox), 204);
    }
}
