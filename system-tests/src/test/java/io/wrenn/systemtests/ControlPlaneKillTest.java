package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.cli.HomeFiles;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import io.wrenn.testkit.WrennProcesses;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A control plane (`wrenn up`, a process of its own, with its host agent in another) killed with
 * SIGKILL in the middle of a build's step, of a create, and while its host is mid-way through a
 * pause, a resume, a snapshot (the agent held at a step, then let go on alone) and an upload. After
 * it starts again on the same home, the build must end (here: its lease runs out, its builder is
 * destroyed and it is tried again, and the second attempt succeeds), each sandbox and snapshot
 * must be settled from what the host did, without waiting out their calls' deadlines, the calls'
 * audit entries settled as lost under their sandbox, and nothing of what was lost may be left on
 * the host.
 */
@Tag("vm")
class ControlPlaneKillTest {

    private Path home;
    private Layout layout;
    private int agentPort;
    private int apiPort;
    private Process agent;
    private Process up;

    @BeforeEach
    void start() throws Exception {
        home = Files.createTempDirectory("wrenn-build-kill-");
        layout = Layout.of(home, Layout.fromEnvironment().imagesDir());
        agentPort = WrennProcesses.freePort();
        apiPort = WrennProcesses.freePort();
        agent = WrennProcesses.startAgent(home, agentPort, null);
        up = up();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            for (Process process : new Process[] {up, agent}) {
                if (process != null && process.isAlive()) {
                    process.destroy();
                    process.waitFor(60, TimeUnit.SECONDS);
                }
            }
        } finally {
            // An agent of its own leaves VMs running when it stops: one that destroys them cleans up.
            assertThat(WrennProcesses.cleanUpHome(layout)).as("processes of this home").isEmpty();
        }
    }

    @Test
    void aBuildWhoseControlPlaneWasKilledIsTakenOverAndEnds() throws Exception {
        WrennClient api = client();
        String source = firstSandbox(api);
        var snapshot = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "kill-base"));
        assertThat(snapshot.status()).as("%s%nthe agent's log:%n%s", snapshot, read(home.resolve("agent.log"))).isEqualTo(201);
        api.delete("/v1/sandboxes/" + source);

        var created = api.post("/v1/builds", Map.of("name", "survivor", "skip_pre_post", true, "recipe",
                "FROM kill-base\nRUN echo step-started && sleep 15 && echo step-done > /home/user/done"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String build = created.json().get("id").asString();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> logText(api, build).contains("step-started"));
        String firstBuilder = api.get("/v1/builds/" + build).json().get("builder_id").asString();
        WrennFixture.HostView lost = WrennFixture.hostView(layout, firstBuilder);

        up.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, mid-step
        up = up();
        WrennClient again = client();

        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
                again.get("/v1/builds/" + build).json().get("status").asString().matches("succeeded|failed|cancelled"));
        JsonNode done = again.get("/v1/builds/" + build).json();
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(logText(again, build)).contains("attempt 1 was lost with the control plane running it");
        // The lost attempt's builder is gone from the host and stopped in the database; so is the second's.
        assertThat(lost.qemuAlive()).isFalse();
        assertThat(lost.namespaceExists()).isFalse();
        assertThat(again.get("/v1/sandboxes/" + firstBuilder).json().get("status").asString()).isEqualTo("stopped");
        String secondBuilder = done.get("builder_id").asString();
        assertThat(secondBuilder).isNotEqualTo(firstBuilder);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                again.get("/v1/sandboxes/" + secondBuilder).json().get("status").asString().equals("stopped"));

        String check = again.createSandbox(Map.of("template", "survivor")).get("id").asString();
        assertThat(again.exec(check, "cat", "/home/user/done").get("stdout").asString()).isEqualTo("step-done\n");
        again.delete("/v1/sandboxes/" + check);
    }

    @Test
    void aCreateWhoseControlPlaneWasKilledIsSettledWithoutWaitingForItsDeadline() throws Exception {
        WrennClient api = client();
        // A cold boot (seconds under TCG), so that the kill lands while the row is starting: a disk
        // other than the image's own size is never served by a warm snapshot.
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                api.post("/v1/sandboxes", Map.of("template", "minimal", "disk_size_mb", 4096));
            } catch (RuntimeException killedUnderIt) {
                // the answer never comes: its control plane is killed below
            }
        });
        String id = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode listed = api.get("/v1/sandboxes?status=starting").json().get("sandboxes");
            return listed.isEmpty() ? null : listed.get(0).get("id").asString();
        }, found -> found != null);
        up.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Instant killed = Instant.now();
        up = up();
        WrennClient again = client();

        // The create deadline is 3 minutes from the create; a gone control plane is known within a minute.
        JsonNode settled = await().atMost(Duration.ofSeconds(100)).pollInterval(Duration.ofSeconds(1))
                .until(() -> again.get("/v1/sandboxes/" + id).json(), row -> !row.get("status").asString().equals("starting"));
        assertThat(Duration.between(killed, Instant.now())).as("settled before the create deadline could")
                .isLessThan(Duration.ofMinutes(2));
        String status = settled.get("status").asString();
        assertThat(status).as(settled.toString()).isIn("running", "error");
        String onHost = io.wrenn.controlplane.ids.WireId.SANDBOX.decode(id).orElseThrow().toString();
        if (status.equals("running")) {
            // the host finished the boot its caller no longer waited for: the sandbox is usable
            assertThat(again.exec(id, "echo", "adopted").get("stdout").asString()).isEqualTo("adopted\n");
            assertThat(again.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        } else {
            assertThat(settled.path("status_reason").asString("")).contains("control plane stopped");
        }
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(WrennProcesses.processesMentioning(layout.sandboxDir(onHost))).as("no VM left behind").isEmpty();
            assertThat(layout.sandboxDir(onHost)).doesNotExist();
            assertThat(Path.of("/run/netns", io.wrenn.hostagent.net.SandboxNetwork.namespaceName(onHost))).doesNotExist();
        });
    }

    @Test
    void aPauseResumeSnapshotAndUploadWhoseControlPlaneWasKilledAreSettledFromWhatTheHostDid() throws Exception {
        String id = firstSandbox(client());
        assertThat(client().exec(id, "sh", "-c", "echo kept > /home/user/mark").get("exit_code").asInt()).isZero();
        String pause = "/v1/sandboxes/" + id + "/pause";

        killControlPlaneWhileTheHostHolds("pause.saved", id, api -> api.post(pause, Map.of()));
        WrennClient again = client();
        assertThat(awaitSettled(again, id).get("status").asString()).as("the host finished the pause").isEqualTo("paused");
        awaitLostEntryNaming(again, "POST /v1/sandboxes/{id}/pause", id);

        killControlPlaneWhileTheHostHolds("resume.loading", id, api -> api.post("/v1/sandboxes/" + id + "/resume", Map.of()));
        again = client();
        assertThat(awaitSettled(again, id).get("status").asString()).as("the host finished the resume").isEqualTo("running");
        assertThat(again.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");

        killControlPlaneWhileTheHostHolds("snapshot.written", id,
                api -> api.post("/v1/snapshots", Map.of("sandbox_id", id, "name", "kill-snap")));
        WrennClient afterSnapshot = client();
        // Adopted once the control plane that reserved its name is known to be gone, not after the snapshot grace.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> afterSnapshot.get("/v1/snapshots/kill-snap").status() == 200);
        String copy = afterSnapshot.createSandbox(Map.of("template", "kill-snap")).get("id").asString();
        assertThat(afterSnapshot.exec(copy, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
        assertThat(afterSnapshot.delete("/v1/sandboxes/" + copy).status()).isEqualTo(204);
        assertThat(awaitSettled(afterSnapshot, id).get("status").asString()).isEqualTo("running");

        restartAgent(null, id);
        byte[] payload = new byte[64 << 20];
        java.util.Arrays.fill(payload, (byte) 'u');
        WrennClient beforeUpload = client();
        java.util.concurrent.CompletableFuture<Void> upload = java.util.concurrent.CompletableFuture.runAsync(() ->
                beforeUpload.put("/v1/sandboxes/" + id + "/files?path=/home/user/big", payload));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> upload.isDone()
                || !beforeUpload.exec(id, "sh", "-c", "test -s /home/user/big && echo yes").get("stdout").asString().isBlank());
        up.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        up = up();
        WrennClient afterUpload = client();
        assertThat(awaitSettled(afterUpload, id).get("status").asString()).isEqualTo("running");
        WrennClient.Response uploadedAgain = afterUpload.put("/v1/sandboxes/" + id + "/files?path=/home/user/big", payload);
        assertThat(uploadedAgain.status()).as(uploadedAgain.toString()).isBetween(200, 204);
        assertThat(afterUpload.exec(id, "sh", "-c", "wc -c < /home/user/big").get("stdout").asString().trim())
                .isEqualTo(Integer.toString(payload.length));
        assertThat(afterUpload.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");

        List<String> listed = new java.util.ArrayList<>();
        afterUpload.get("/v1/sandboxes?status=all&limit=1000").json().get("sandboxes")
                .forEach(s -> listed.add(s.get("id").asString()));
        assertThat(listed).as("none lost, none twice").doesNotHaveDuplicates().contains(id, copy);
        assertThat(afterUpload.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(afterUpload.delete("/v1/snapshots/kill-snap").status()).isEqualTo(204);
    }

    /**
     * Restarts the agent held at {@code step}, makes {@code call} and, once the host holds there,
     * kills the control plane with SIGKILL, lets the host go on alone and starts the control plane
     * again on the same home.
     */
    private void killControlPlaneWhileTheHostHolds(String step, String id, java.util.function.Function<WrennClient, WrennClient.Response> call)
            throws Exception {
        restartAgent("hold:" + step, id);
        Path marker = home.resolve("failpoint-reached");
        WrennClient api = client();
        java.util.concurrent.CompletableFuture<WrennClient.Response> calling = java.util.concurrent.CompletableFuture.supplyAsync(() -> call.apply(api));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(calling).as("the call answered before the host held it: %s", calling.getNow(null)).isNotDone();
            assertThat(marker).exists();
        });
        assertThat(Files.readString(marker)).isEqualTo(step);
        up.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, the host mid-way
        Files.delete(marker); // the host goes on, its caller gone
        up = up();
    }

    /** Stops the agent (its VMs run on) and starts it again, with {@code failpoint} if not null. */
    /**
     * Restarts the host agent and waits until sandbox {@code id} reads as it did before: while its
     * host is away the control plane shows it as unknown and refuses calls on it, and the call
     * under test must meet the sandbox, not that gap.
     */
    private void restartAgent(String failpoint, String id) throws Exception {
        WrennClient api = client();
        String before = api.get("/v1/sandboxes/" + id).json().get("status").asString();
        agent.destroy();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        agent = WrennProcesses.startAgent(home, agentPort, failpoint);
        // The host answers again (a call that touches it succeeds), and the sandbox is back as it was.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.get("/v1/sandboxes/" + id + "/console").status() == 200
                        && api.get("/v1/sandboxes/" + id).json().get("status").asString().equals(before));
    }

    /** The sandbox once no call moves it (the reconciler settled what its killed control plane left). */
    private static JsonNode awaitSettled(WrennClient api, String id) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(
                () -> api.get("/v1/sandboxes/" + id).json(),
                row -> !row.get("status").asString().matches("starting|pausing|resuming|stopping"));
    }

    /**
     * The audit entry of {@code action}, left pending by the killed control plane, is settled as
     * lost and shown in the sandbox's own log (so it names the sandbox).
     */
    private static void awaitLostEntryNaming(WrennClient api, String action, String id) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            WrennClient.Response log = api.get("/v1/sandboxes/" + id + "/logs?limit=100");
            assertThat(log.status()).as(log.toString()).isEqualTo(200);
            assertThat(log.json().get("events")).as(log.toString()).anySatisfy(event -> {
                assertThat(event.get("event").asString()).isEqualTo(action);
                assertThat(event.get("outcome").asString()).isEqualTo("lost");
                assertThat(event.get("status").isNull()).isTrue();
            });
        });
    }

    /** The first sandbox of a fresh control plane (it learns its separate agent at its first pass). */
    private static String firstSandbox(WrennClient api) {
        return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var created = api.post("/v1/sandboxes", Map.of("template", "minimal"));
            assertThat(created.status()).as(created.toString()).isIn(201, 503);
            return created.status() == 201 ? created.json().get("id").asString() : null;
        }, found -> found != null);
    }

    /** Starts `wrenn up` (kept in {@link #up} at once, so a failed wait still stops it) and waits for its API. */
    private Process up() throws IOException {
        Process process = WrennProcesses.wrenn(home, "up", "--port", Integer.toString(apiPort), "--agent", "127.0.0.1:" + agentPort)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("up.log").toFile())).start();
        up = process;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("wrenn up; its log:%n%s", read(home.resolve("up.log"))).isTrue();
            if (!Files.exists(new HomeFiles(home).apiKeyFile())) {
                return false;
            }
            try {
                return new WrennClient(URI.create("http://127.0.0.1:" + apiPort), null).get("/health").status() == 200;
            } catch (java.io.UncheckedIOException notListeningYet) {
                return false; // a restart on the same home finds the key file before its server listens
            }
        });
        return process;
    }

    private WrennClient client() throws IOException {
        return new WrennClient(URI.create("http://127.0.0.1:" + apiPort), Files.readString(new HomeFiles(home).apiKeyFile()).strip());
    }

    private static String logText(WrennClient api, String build) {
        StringBuilder text = new StringBuilder();
        api.get("/v1/builds/" + build + "/logs?limit=5000").json().get("lines")
                .forEach(line -> text.append(line.get("line").asString()).append('\n'));
        return text.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
