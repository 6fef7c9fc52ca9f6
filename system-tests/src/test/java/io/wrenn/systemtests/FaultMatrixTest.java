package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.cli.AllInOne;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.cli.HomeFiles;
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
 * Cells of the fault matrix (the host agent's failpoint cells are {@link AgentKillTest}'s, the
 * control plane's {@link ControlPlaneKillTest}'s): a QEMU process killed with SIGKILL while its
 * sandbox pauses and while it resumes; PostgreSQL killed with SIGKILL during a file upload and
 * during a resume, the control plane then restarted on the same home while the host agent, a
 * process of its own, runs on; the host agent killed with SIGKILL during an upload and started
 * again. After one reconciler pass no sandbox is lost or listed twice,
 * each is in a state its owner can act on (running, paused, or stopped or error with its
 * reason), and one that is not running left no VM and no files on the host. Sandboxes come from one snapshot template.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class FaultMatrixTest {

    private Path home;
    private Layout layout;
    private int agentPort;
    private Process agent;
    private AllInOne wrenn;
    private WrennClient api;
    private final List<String> sandboxes = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("wrenn-fault-");
        layout = Layout.of(home, Layout.fromEnvironment().imagesDir());
        agentPort = WrennProcesses.freePort();
        startAgent();
        startControlPlane();
        String source = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        assertThat(api.exec(source, "sh", "-c", "echo kept > /home/user/mark").get("exit_code").asInt()).isZero();
        WrennClient.Response snapshot = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "fault-base"));
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(201);
        assertThat(api.delete("/v1/sandboxes/" + source).status()).isEqualTo(204);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (api != null) {
                for (String id : sandboxes) {
                    api.delete("/v1/sandboxes/" + id);
                }
                api.delete("/v1/snapshots/fault-base");
            }
            if (agent != null) {
                agent.destroy();
                agent.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            if (wrenn != null) {
                wrenn.close();
            }
            assertThat(WrennProcesses.cleanUpHome(layout)).as("processes of this home").isEmpty();
        }
    }

    @Test
    @Order(1)
    void qemuKilledDuringAPauseLeavesAPausedOrAStoppedSandboxWithItsReasonAndNothingBehind() throws Exception {
        String id = newSandbox();
        long qemu = Long.parseLong(Files.readString(layout.sandboxPidFile(hostId(id))).trim());
        CompletableFuture<WrennClient.Response> pause = CompletableFuture.supplyAsync(
                () -> api.post("/v1/sandboxes/" + id + "/pause", Map.of()));
        ProcessHandle.of(qemu).ifPresent(ProcessHandle::destroyForcibly);
        int answered = pause.get(3, TimeUnit.MINUTES).status();
        // Its VM is dead, so running is not where it may end: a failed pause leaves the row
        // running until the reconciler's next pass finds the VM gone.
        JsonNode settled = awaitSettled(id, List.of("paused", "stopped", "error"));
        if (settled.get("status").asString().equals("paused")) {
            // The pause won the race: it was committed before QEMU died, and it resumes.
            assertThat(answered).isEqualTo(200);
            assertResumesWithItsFiles(id);
        } else {
            assertThat(answered).as("the pause whose VM died").isGreaterThanOrEqualTo(400);
            // Stopped when the reconciler finds the VM gone (vm_exited); error when the host's own
            // clean-up of the dead VM answered first: either way with its reason.
            assertGoneWithItsReason(id, settled);
        }
        assertListedOnce();
    }

    @Test
    @Order(2)
    void postgresKilledDuringAnUploadLosesNoSandboxAndTheUploadCanBeMadeAgain() throws Exception {
        String id = newSandbox();
        byte[] payload = new byte[8 << 20];
        java.util.Arrays.fill(payload, (byte) 'w');
        CompletableFuture<WrennClient.Response> upload = startUpload(id, payload);
        killPostgres();
        int answered = upload.get(3, TimeUnit.MINUTES).status();
        assertThat(answered).as("an upload answers, whatever it met").isBetween(200, 599);

        // The control plane comes back on the same home; the host agent ran on all along.
        wrenn.close();
        startControlPlane();
        JsonNode settled = awaitSettled(id, SETTLED);
        assertThat(settled.get("status").asString()).isEqualTo("running");
        assertUploadsWhole(id, payload);
        assertListedOnce();
    }

    @Test
    @Order(3)
    void qemuKilledDuringAResumeLeavesAResumablePausedOrAStoppedSandboxWithItsReason() throws Exception {
        String id = newSandbox();
        Path pidFile = layout.sandboxPidFile(hostId(id));
        long before = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(api.post("/v1/sandboxes/" + id + "/pause", Map.of()).status()).isEqualTo(200);
        CompletableFuture<WrennClient.Response> resume = CompletableFuture.supplyAsync(
                () -> api.post("/v1/sandboxes/" + id + "/resume", Map.of()));
        // The resume's own QEMU, once it runs: killed while it loads the saved state (or just after).
        long restoring = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> livePidOtherThan(pidFile, before), pid -> pid > 0);
        ProcessHandle.of(restoring).ifPresent(ProcessHandle::destroyForcibly);
        int answered = resume.get(3, TimeUnit.MINUTES).status();

        JsonNode settled = awaitSettled(id, List.of("paused", "stopped", "error"));
        if (settled.get("status").asString().equals("paused")) {
            // The saved state is still on the host's disk: nothing was lost, and it resumes.
            assertThat(answered).as("the resume whose VM died").isGreaterThanOrEqualTo(400);
            assertResumesWithItsFiles(id);
        } else {
            // The resume had finished when its VM died: the VM is gone, with its reason.
            assertGoneWithItsReason(id, settled);
        }
        assertListedOnce();
    }

    @Test
    @Order(4)
    void postgresKilledDuringAResumeLeavesTheSandboxRunningOrResumableOnceTheControlPlaneIsBack() throws Exception {
        String id = newSandbox();
        assertThat(api.post("/v1/sandboxes/" + id + "/pause", Map.of()).status()).isEqualTo(200);
        CompletableFuture<WrennClient.Response> resume = CompletableFuture.supplyAsync(
                () -> api.post("/v1/sandboxes/" + id + "/resume", Map.of()));
        // Killed once the row says the host is at work, so that the database dies under the host call.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> api.get("/v1/sandboxes/" + id).json().get("status").asString(), status -> !status.equals("paused"));
        killPostgres();
        assertThat(resume.get(3, TimeUnit.MINUTES).status()).as("a resume answers, whatever it met").isBetween(200, 599);

        // The control plane comes back on the same home; the host agent ran on all along. The row the
        // dead database kept as resuming belongs to a control plane that is gone: settled from the host.
        wrenn.close();
        startControlPlane();
        JsonNode settled = awaitSettled(id, List.of("running", "paused"));
        if (settled.get("status").asString().equals("paused")) {
            assertResumesWithItsFiles(id);
        } else {
            assertThat(api.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
        }
        assertListedOnce();
    }

    @Test
    @Order(5)
    void hostAgentKilledDuringAnUploadLeavesTheSandboxRunningAndTheUploadCanBeMadeAgain() throws Exception {
        String id = newSandbox();
        byte[] payload = new byte[64 << 20];
        java.util.Arrays.fill(payload, (byte) 'a');
        CompletableFuture<WrennClient.Response> upload = startUpload(id, payload);
        // Killed once bytes reach the guest (or the upload has ended, if it was faster than the look).
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> upload.isDone()
                || !api.exec(id, "sh", "-c", "test -s /home/user/big && echo yes").get("stdout").asString().isBlank());
        agent.destroyForcibly(); // SIGKILL: no shutdown hook; its VMs run on
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(upload.get(3, TimeUnit.MINUTES).status()).as("an upload answers, whatever it met").isBetween(200, 599);
        startAgent();

        JsonNode settled = awaitSettled(id, SETTLED);
        assertThat(settled.get("status").asString()).as(settled.toString()).isEqualTo("running");
        assertUploadsWhole(id, payload);
        assertListedOnce();
    }

    private CompletableFuture<WrennClient.Response> startUpload(String id, byte[] payload) {
        return CompletableFuture.supplyAsync(() -> api.put("/v1/sandboxes/" + id + "/files?path=/home/user/big", payload));
    }

    /** The upload made again lands whole, and the sandbox still has what it had before. */
    private void assertUploadsWhole(String id, byte[] payload) {
        WrennClient.Response again = api.put("/v1/sandboxes/" + id + "/files?path=/home/user/big", payload);
        assertThat(again.status()).as(again.toString()).isBetween(200, 204);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode size = api.exec(id, "sh", "-c", "wc -c < /home/user/big");
            assertThat(size.get("stdout").asString().trim()).as(size.toString()).isEqualTo(Integer.toString(payload.length));
        });
        assertThat(api.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
    }

    private void assertResumesWithItsFiles(String id) {
        WrennClient.Response resumed = api.post("/v1/sandboxes/" + id + "/resume", Map.of());
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        assertThat(api.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
    }

    /** Stopped or error with its reason, and nothing of it left on the host. */
    private void assertGoneWithItsReason(String id, JsonNode settled) {
        assertThat(settled.get("status").asString()).isIn("stopped", "error");
        assertThat(settled.path("status_reason").asString("")).as(settled.toString()).isNotBlank();
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            assertThat(layout.sandboxDir(hostId(id))).as("the sandbox's files on the host").doesNotExist();
            assertThat(WrennProcesses.processesMentioning(layout.sandboxDir(hostId(id)))).isEmpty();
        });
    }

    /** The pid in {@code pidFile} if it is not {@code other} and runs; else 0. */
    private static long livePidOtherThan(Path pidFile, long other) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return pid != other && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : 0;
        } catch (IOException | NumberFormatException notWrittenYet) {
            return 0;
        }
    }

    private void startAgent() throws IOException {
        agent = WrennProcesses.startAgent(home, agentPort, null);
    }

    private void startControlPlane() throws Exception {
        wrenn = AllInOne.start(new AllInOne.Settings(layout, "127.0.0.1", 0, Duration.ofSeconds(1), "127.0.0.1:" + agentPort));
        api = new WrennClient(URI.create("http://127.0.0.1:" + wrenn.apiPort()), wrenn.apiKey());
    }

    private String newSandbox() {
        WrennClient.Response created = api.post("/v1/sandboxes", Map.of("template", "fault-base"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asString();
        sandboxes.add(id);
        return id;
    }

    private static final List<String> SETTLED = List.of("running", "paused", "stopped", "error");

    /** Waits until the sandbox is in one of {@code states} (after the reconciler's passes). */
    private JsonNode awaitSettled(String id, List<String> states) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            WrennClient.Response got = api.get("/v1/sandboxes/" + id);
            return got.status() == 200 ? got.json() : null;
        }, json -> json != null && states.contains(json.get("status").asString()));
    }

    /** Every sandbox of this test is listed once, none twice, none lost (stopped ones included). */
    private void assertListedOnce() {
        List<String> listed = new ArrayList<>();
        api.get("/v1/sandboxes?status=all&limit=1000").json().get("sandboxes").forEach(s -> listed.add(s.get("id").asString()));
        assertThat(listed).doesNotHaveDuplicates().containsAll(sandboxes);
    }

    private static String hostId(String wireId) {
        return WireId.SANDBOX.decode(wireId).orElseThrow().toString();
    }

    /** SIGKILL to the home's PostgreSQL server (its postmaster: its children die with it). */
    private void killPostgres() throws IOException {
        Path pidFile;
        try (var files = Files.walk(new HomeFiles(home).postgresDir())) {
            pidFile = files.filter(p -> p.getFileName().toString().equals("postmaster.pid")).findFirst().orElseThrow();
        }
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow();
        handle.destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !handle.isAlive());
    }

}
