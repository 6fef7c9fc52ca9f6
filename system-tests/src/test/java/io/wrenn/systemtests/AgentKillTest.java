package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.cli.AllInOne;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennProcesses;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The host agent, a process of its own (`wrenn agent`), is killed with SIGKILL in the middle of
 * a pause, a snapshot and a resume while the control plane runs on; a new agent process starts on the
 * same home. The sandbox must come back running or paused as the database says (never lost),
 * no half template may be listed, and what the host finished is not lost either. The agent is
 * stopped at exactly the step under test by its failpoint ({@code WRENN_FAILPOINT}), then killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class AgentKillTest {

    private Path home;
    private Layout layout;
    private int agentPort;
    private Process agent;
    private AllInOne wrenn;
    private WrennClient api;
    private String id;
    private final List<String> snapshots = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("wrenn-kill-");
        layout = Layout.of(home, Layout.fromEnvironment().imagesDir());
        agentPort = WrennProcesses.freePort();
        agent = startAgent(null);
        wrenn = AllInOne.start(new AllInOne.Settings(layout, "127.0.0.1", 0, Duration.ofSeconds(1),
                "127.0.0.1:" + agentPort));
        api = new WrennClient(URI.create("http://127.0.0.1:" + wrenn.apiPort()), wrenn.apiKey());
        id = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        assertThat(api.exec(id, "sh", "-c", "echo survivor > /home/user/mark").get("exit_code").asInt()).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (api != null) {
                for (String name : snapshots) {
                    api.delete("/v1/snapshots/" + name);
                }
                if (id != null) {
                    api.delete("/v1/sandboxes/" + id);
                }
            }
            if (agent != null) {
                agent.destroy(); // SIGTERM: an agent of its own leaves VMs running...
                agent.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            if (wrenn != null) {
                wrenn.close();
            }
            // ...so whatever a failed test left on this home is destroyed by an agent that does.
            assertThat(WrennProcesses.cleanUpHome(layout)).as("processes of this home").isEmpty();
        }
    }

    @Test
    @Order(1)
    void killedAfterSavingAPauseTheSandboxRunsOnAndTheDatabaseSaysSo() throws Exception {
        callWithTheAgentKilledAt("pause.saved", this::pause);
        // The new agent runs the stopped VM on; the reconciler settles the row from the host.
        awaitStatus("running");
        assertFilesSurvived();
    }

    @Test
    @Order(2)
    void killedBeforeASnapshotIsPromotedNothingIsListedAndTheNameStaysFree() throws Exception {
        callWithTheAgentKilledAt("snapshot.written", () -> snapshot("half"));
        awaitStatus("running");
        assertFilesSurvived();
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(api.get("/v1/snapshots/half").status()).isEqualTo(404);
            assertThat(names(api.get("/v1/snapshots"))).doesNotContain("half");
        });
        try (var staging = Files.list(layout.snapshotStagingDir())) {
            assertThat(staging.toList()).as("staging after the new agent started").isEmpty();
        }
        // The name is free again: the half-made one left nothing that holds it.
        var again = snapshot("half");
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        snapshots.add("half");
    }

    @Test
    @Order(3)
    void killedAfterASnapshotIsPromotedTheSnapshotIsKeptAndUsable() throws Exception {
        callWithTheAgentKilledAt("snapshot.promoted", () -> snapshot("kept"));
        snapshots.add("kept");
        awaitStatus("running");
        // The host finished it: the reconciler adopts it rather than losing the team's work.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(api.get("/v1/snapshots/kept").status()).isEqualTo(200));
        String copy = api.createSandbox(Map.of("template", "kept")).get("id").asString();
        try {
            assertThat(api.exec(copy, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("survivor\n");
        } finally {
            assertThat(api.delete("/v1/sandboxes/" + copy).status()).isEqualTo(204);
        }
    }

    @Test
    @Order(4)
    void killedAfterAPauseIsCommittedTheSandboxIsPausedAndResumes() throws Exception {
        callWithTheAgentKilledAt("pause.committed", this::pause);
        // The new agent finishes the committed pause; the database follows the host.
        awaitStatus("paused");
        var resumed = api.post("/v1/sandboxes/" + id + "/resume", Map.of());
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        assertFilesSurvived();
    }

    @Test
    @Order(5)
    void killedWhileAResumeLoadsTheSandboxIsPausedOrRunningWithItsFiles() throws Exception {
        assertThat(pause().status()).isEqualTo(200);
        callWithTheAgentKilledAt("resume.loading", () -> api.post("/v1/sandboxes/" + id + "/resume", Map.of()));
        // The new agent finds the sandbox's saved state on its disk; the database follows the host.
        String settled = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(this::status, status -> status.equals("paused") || status.equals("running"));
        if (settled.equals("paused")) {
            var resumed = api.post("/v1/sandboxes/" + id + "/resume", Map.of());
            assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        }
        assertFilesSurvived();
    }

    private WrennClient.Response pause() {
        return api.post("/v1/sandboxes/" + id + "/pause", Map.of());
    }

    private WrennClient.Response snapshot(String name) {
        return api.post("/v1/snapshots", Map.of("sandbox_id", id, "name", name));
    }

    /**
     * Makes {@code call} with the agent killed (SIGKILL) at {@code step} of it and a new agent
     * started on the same home and port; the call must fail as a server error. The agent that
     * stops at the step first replaces the running one, the way an operator restarts it
     * (SIGTERM: its VMs stay up).
     */
    private void callWithTheAgentKilledAt(String step, Supplier<WrennClient.Response> call) throws Exception {
        String before = status();
        agent.destroy();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        agent = startAgent(step);
        awaitStatus(before);
        // The first call that touches the host (the console, also for a paused sandbox) reaches the
        // new agent: the control plane's channel, refused while the agent was down, connects again
        // for it rather than failing it at once.
        WrennClient.Response console = api.get("/v1/sandboxes/" + id + "/console");
        assertThat(console.status()).as(console.toString()).isEqualTo(200);
        CompletableFuture<WrennClient.Response> answer = CompletableFuture.supplyAsync(call);
        killAtFailpoint(step, answer);
        assertThat(answer.get(2, TimeUnit.MINUTES).status()).as("the call whose agent died").isGreaterThanOrEqualTo(500);
    }

    /**
     * Waits until the agent stops at {@code step}, kills it with SIGKILL and starts a new agent
     * on the same home and port, with no failpoint.
     */
    private void killAtFailpoint(String step, CompletableFuture<WrennClient.Response> answer) throws Exception {
        Path marker = home.resolve("failpoint-reached");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(agent.isAlive()).as("the agent at its failpoint; its log:%n%s", log()).isTrue();
            assertThat(answer.isDone()).as("the call answered before its failpoint: %s; the agent's log:%n%s",
                    answer.isDone() ? answer.join() : null, log()).isFalse();
            assertThat(marker).exists();
        });
        assertThat(Files.readString(marker)).isEqualTo(step);
        agent.destroyForcibly(); // SIGKILL: no shutdown hook, no undo
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Files.delete(marker);
        agent = startAgent(null);
    }

    private Process startAgent(String failpoint) throws IOException {
        return WrennProcesses.startAgent(home, agentPort, failpoint);
    }

    private void awaitStatus(String wanted) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(status()).isEqualTo(wanted));
    }

    private String status() {
        return api.get("/v1/sandboxes/" + id).json().get("status").asString();
    }

    private void assertFilesSurvived() {
        assertThat(api.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("survivor\n");
    }

    private static List<String> names(WrennClient.Response list) {
        return list.json().findValuesAsString("name");
    }

    private String log() {
        try {
            return Files.readString(home.resolve("agent.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

}
