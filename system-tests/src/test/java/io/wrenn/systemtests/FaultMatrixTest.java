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
import java.util.Set;
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
    /** Snapshot templates the cells made, deleted at the end. */
    private final List<String> templates = new ArrayList<>();

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
                for (String name : templates) {
                    api.delete("/v1/snapshots/" + name);
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

    @Test
    @Order(6)
    void qemuKilledWhileASnapshotSavesLeavesNoTemplateAndTheSandboxGoneWithItsReason() throws Exception {
        restartAgent("hold:snapshot.saving");
        String id = newSandbox();
        CompletableFuture<WrennClient.Response> snapshot = startSnapshot(id, "fault-qemu");
        // Held with the VM stopped for the save: the pid is the one the snapshot's own resume gave it.
        killQemuWhileHeldAt("snapshot.saving", id, snapshot);
        assertThat(api.get("/v1/snapshots/fault-qemu").status()).isEqualTo(404);
        assertStagingEmpty();
        // The name is free and a snapshot made again boots.
        assertSnapshotsAndBoots(newSandbox(), "fault-qemu");
        assertListedOnce();
        assertNoOrphans();
    }

    @Test
    @Order(7)
    void postgresKilledWhileAPauseASnapshotAndACreateAreOnTheHostLosesNothingOnceTheControlPlaneIsBack() throws Exception {
        // Three cells of the matrix under one kill and one control-plane restart (each restart of a
        // control plane whose database died costs tens of seconds): the agent holds a pause, a
        // snapshot and a create, each at its step, all three at once when PostgreSQL dies.
        String paused = newSandbox();
        String snapshotted = newSandbox();
        // Paused and resumed once, its RAM is a file of its own, so its snapshot does not pause it
        // first (which would stop at pause.saving too).
        assertThat(api.post("/v1/sandboxes/" + snapshotted + "/pause", Map.of()).status()).isEqualTo(200);
        assertResumesWithItsFiles(snapshotted);
        Set<String> before = listedIds();
        restartAgent("hold:pause.saving,snapshot.saving,create.started");
        CompletableFuture<WrennClient.Response> pause = CompletableFuture.supplyAsync(
                () -> api.post("/v1/sandboxes/" + paused + "/pause", Map.of()));
        awaitHeldAt("pause.saving", pause);
        CompletableFuture<WrennClient.Response> snapshot = startSnapshot(snapshotted, "fault-pg");
        templates.add("fault-pg");
        awaitHeldAt("snapshot.saving", snapshot);
        CompletableFuture<WrennClient.Response> create = startCreate();
        awaitHeldAt("create.started", create);
        killPostgres();
        releaseHold(); // all three go on: the host finishes each alone; its caller cannot record it
        for (var call : List.of(pause, snapshot, create)) {
            assertThat(call.get(3, TimeUnit.MINUTES).status()).as("a call answers, whatever it met").isBetween(200, 599);
        }
        wrenn.close();
        startControlPlane();
        restartAgent(null); // none held any more, and the checks below pause and snapshot again

        // The pause: the row the dead database kept as pausing is settled from the host.
        JsonNode settled = awaitSettled(paused, List.of("running", "paused"));
        if (settled.get("status").asString().equals("paused")) {
            assertResumesWithItsFiles(paused);
        } else {
            assertThat(api.exec(paused, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
        }
        WrennClient.Response pausedAgain = api.post("/v1/sandboxes/" + paused + "/pause", Map.of());
        assertThat(pausedAgain.status()).as(pausedAgain.toString()).isEqualTo(200);
        assertResumesWithItsFiles(paused);

        // The snapshot: its source runs on, and the host promoted it, so the reconciler lists it
        // rather than losing the team's work; it boots, and one made again boots too.
        assertThat(awaitSettled(snapshotted, SETTLED).get("status").asString()).isEqualTo("running");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(api.get("/v1/snapshots/fault-pg").status()).isEqualTo(200));
        assertBoots("fault-pg");
        assertSnapshotsAndBoots(snapshotted, "fault-pg-again");
        assertStagingEmpty();

        // The create: nothing, or one sandbox its owner can act on.
        assertCreateLeftNothingOrAnActableSandbox(before);
        newSandbox();
        assertListedOnce();
        assertNoOrphans();
    }

    @Test
    @Order(8)
    void qemuKilledAsAnUploadStartsLeavesTheSandboxGoneWithItsReason() throws Exception {
        restartAgent("hold:upload.started");
        String id = newSandbox();
        killQemuWhileHeldAt("upload.started", id, startUpload(id, new byte[1 << 20]));
        // Made again, the upload is refused with its reason rather than lost in a dead VM.
        WrennClient.Response again = api.put("/v1/sandboxes/" + id + "/files?path=/home/user/big", new byte[16]);
        assertThat(again.status()).as(again.toString()).isBetween(400, 499);
        assertListedOnce();
        assertNoOrphans();
    }

    @Test
    @Order(9)
    void qemuKilledDuringACreateLeavesNoSandboxOrOneGoneWithItsReason() throws Exception {
        Set<String> before = listedIds();
        restartAgent("hold:create.started");
        CompletableFuture<WrennClient.Response> create = startCreate();
        awaitHeldAt("create.started", create);
        long qemu = Long.parseLong(Files.readString(layout.sandboxPidFile(creatingOnHost())).trim());
        ProcessHandle.of(qemu).ifPresent(ProcessHandle::destroyForcibly);
        releaseHold();
        WrennClient.Response answered = create.get(3, TimeUnit.MINUTES);
        assertThat(answered.status()).as(answered.toString()).isGreaterThanOrEqualTo(500);
        restartAgent(null);

        assertCreateLeftNothingOrAnActableSandbox(before);
        newSandbox(); // a create made again works
        assertListedOnce();
        assertNoOrphans();
    }

    @Test
    @Order(10)
    void hostAgentKilledDuringACreateLeavesNoSandboxOrOneItsOwnerCanActOn() throws Exception {
        Set<String> before = listedIds();
        restartAgent("create.started"); // waits there to be killed
        CompletableFuture<WrennClient.Response> create = startCreate();
        awaitHeldAt("create.started", create);
        agent.destroyForcibly(); // SIGKILL: no shutdown hook, no undo; its half-made VM runs on
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        releaseHold();
        agent = null;
        restartAgent(null);
        assertThat(create.get(3, TimeUnit.MINUTES).status()).as("the create whose agent died").isGreaterThanOrEqualTo(500);

        assertCreateLeftNothingOrAnActableSandbox(before);
        newSandbox();
        assertListedOnce();
        assertNoOrphans();
    }

    private CompletableFuture<WrennClient.Response> startSnapshot(String id, String name) {
        return CompletableFuture.supplyAsync(() -> api.post("/v1/snapshots", Map.of("sandbox_id", id, "name", name)));
    }

    private CompletableFuture<WrennClient.Response> startCreate() {
        return CompletableFuture.supplyAsync(() -> api.post("/v1/sandboxes", Map.of("template", "fault-base")));
    }

    /** Snapshots {@code id} as {@code name} and boots a sandbox from it that has the source's files. */
    private void assertSnapshotsAndBoots(String id, String name) {
        WrennClient.Response made = api.post("/v1/snapshots", Map.of("sandbox_id", id, "name", name));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        templates.add(name);
        assertBoots(name);
    }

    private void assertBoots(String template) {
        WrennClient.Response created = api.post("/v1/sandboxes", Map.of("template", template));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String copy = created.json().get("id").asString();
        sandboxes.add(copy);
        assertThat(api.exec(copy, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
    }

    /**
     * A create that failed on the host left either no sandbox at all, or one listed that runs
     * (the host finished it) or is stopped or error with its reason and nothing on the host.
     */
    private void assertCreateLeftNothingOrAnActableSandbox(Set<String> before) {
        List<String> made = new ArrayList<>(listedIds());
        made.removeAll(before);
        made.removeAll(sandboxes); // those the checks made since (the snapshot's copies)
        assertThat(made).as("sandboxes the failed create left").hasSizeLessThanOrEqualTo(1);
        for (String id : made) {
            sandboxes.add(id);
            JsonNode settled = awaitSettled(id, List.of("running", "stopped", "error"));
            if (settled.get("status").asString().equals("running")) {
                assertThat(api.exec(id, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
            } else {
                assertGoneWithItsReason(id, settled);
            }
        }
    }

    /**
     * Every sandbox directory on the host (and so every VM, overlay and network of it) belongs to
     * a sandbox the API lists as running or paused; any other is an orphan. The reconciler's pass
     * may still be removing one of a sandbox that just stopped: hence the wait.
     */
    private void assertNoOrphans() {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<String> live = new ArrayList<>();
            api.get("/v1/sandboxes?status=all&limit=1000").json().get("sandboxes").forEach(s -> {
                if (List.of("running", "paused").contains(s.get("status").asString())) {
                    live.add(hostId(s.get("id").asString()));
                }
            });
            List<String> onHost;
            try (var dirs = Files.list(layout.sandboxesDir())) {
                onHost = dirs.map(d -> d.getFileName().toString()).toList();
            }
            assertThat(live).as("sandboxes listed running or paused").containsExactlyInAnyOrderElementsOf(onHost);
        });
    }

    /** Every sandbox the API lists, stopped ones included. */
    private Set<String> listedIds() {
        Set<String> listed = new java.util.HashSet<>();
        api.get("/v1/sandboxes?status=all&limit=1000").json().get("sandboxes").forEach(s -> listed.add(s.get("id").asString()));
        return listed;
    }

    private void assertStagingEmpty() throws IOException {
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            try (var staging = Files.list(layout.snapshotStagingDir())) {
                assertThat(staging.toList()).as("snapshot staging").isEmpty();
            }
        });
    }

    /** The host id of the sandbox being created: the one directory on the host no known sandbox has. */
    private String creatingOnHost() throws IOException {
        List<String> known = sandboxes.stream().map(FaultMatrixTest::hostId).toList();
        try (var dirs = Files.list(layout.sandboxesDir())) {
            List<String> creating = dirs.map(d -> d.getFileName().toString()).filter(d -> !known.contains(d)).toList();
            assertThat(creating).as("the sandbox being created").hasSize(1);
            return creating.getFirst();
        }
    }

    /**
     * Once {@code call} holds the agent at {@code step}, kills sandbox {@code id}'s QEMU and lets the
     * agent go on: the call is refused, and after an agent restart the sandbox is gone with its reason.
     */
    private void killQemuWhileHeldAt(String step, String id, CompletableFuture<WrennClient.Response> call) throws Exception {
        awaitHeldAt(step, call);
        killQemuOf(id);
        releaseHold();
        WrennClient.Response answered = call.get(3, TimeUnit.MINUTES);
        assertThat(answered.status()).as(answered.toString()).isGreaterThanOrEqualTo(400);
        restartAgent(null);

        assertGoneWithItsReason(id, awaitSettled(id, List.of("stopped", "error")));
    }

    private void killQemuOf(String id) throws IOException {
        long qemu = Long.parseLong(Files.readString(layout.sandboxPidFile(hostId(id))).trim());
        ProcessHandle handle = ProcessHandle.of(qemu).orElseThrow();
        handle.destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !handle.isAlive());
    }

    /**
     * A new host agent on the same home and port, stopping at {@code failpoint} (none if null); the one
     * running, if any, is stopped the way an operator restarts it (SIGTERM: its VMs run on).
     */
    private void restartAgent(String failpoint) throws IOException, InterruptedException {
        if (agent != null) {
            agent.destroy();
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        agent = WrennProcesses.startAgent(home, agentPort, failpoint);
        // While the agent was down the reconciler may have marked its sandboxes unknown, and calls
        // on an unknown sandbox are refused: wait for the pass that finds them again.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(api.get("/v1/sandboxes?status=all&limit=1000").json().get("sandboxes").findValuesAsString("status"))
                        .doesNotContain("unknown"));
    }

    /** Waits until the agent is at {@code step} of {@code call} (which must not have answered first). */
    private void awaitHeldAt(String step, CompletableFuture<WrennClient.Response> call) throws IOException {
        Path marker = home.resolve("failpoint-reached");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(call.isDone()).as("the call answered before its failpoint: %s",
                    call.isDone() ? call.join() : null).isFalse();
            // Read as it is now: with several calls held at once, each holder writes its own step.
            assertThat(Files.exists(marker) ? Files.readString(marker) : "").isEqualTo(step);
        });
    }

    /** Lets the held agent go on (or, when it was killed there, clears the marker for the next one). */
    private void releaseHold() throws IOException {
        Files.delete(home.resolve("failpoint-reached"));
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
