package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.protocol.CreateSnapshotRequest;
import io.wrenn.hostagent.protocol.DeleteTemplateRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import io.wrenn.hostagent.protocol.Sandbox;
import io.wrenn.hostagent.protocol.SandboxState;
import io.wrenn.hostagent.protocol.TemplateImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pause, resume, snapshots and restores with real VMs, through the agent's gRPC API. One source
 * sandbox is booted cold; everything else is restored from saved state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class SnapshotLifecycleTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;

    private AgentFixture agent;
    private final String teamId = UUID.randomUUID().toString();
    private final String source = UUID.randomUUID().toString();
    private final List<String> clones = new ArrayList<>();

    @BeforeAll
    void startAgent() {
        AgentFixture.assumeVmsPossible();
        agent = new AgentFixture(home).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(source).setTeamId(teamId)
                .putEnv("CREATOR_SECRET", "s3cret").build());
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (agent != null) {
            agent.stop();
        }
    }

    private Layout layout() {
        return Layout.of(home, AgentFixture.IMAGES);
    }

    private Sandbox pause(String id) {
        return agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).pauseSandbox(PauseSandboxRequest.newBuilder().setSandboxId(id).build());
    }

    private Sandbox resume(String id, long generation) {
        return agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).resumeSandbox(
                ResumeSandboxRequest.newBuilder().setSandboxId(id).setGeneration(generation).build());
    }

    private TemplateImage snapshot(String id, String name) {
        return agent.stub.withDeadlineAfter(3, TimeUnit.MINUTES).createSnapshot(
                CreateSnapshotRequest.newBuilder().setSandboxId(id).setTeamId(teamId).setName(name).build());
    }

    private String restore(String template) {
        String id = UUID.randomUUID().toString();
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(id).setTeamId(teamId)
                .setTemplateTeamId(teamId).setTemplateName(template).setVcpus(0).setMemoryMb(0).setDiskSizeMb(0).build());
        clones.add(id);
        return id;
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    @Test
    @Order(1)
    void pauseSavesEverythingAndFreesTheVmAndResumeBringsBackFilesProcessesAndEnv() throws Exception {
        agent.stdoutOf(source, "echo kept > /home/user/note; setsid sh -c 'echo $$ > /tmp/loop.pid; while true; do sleep 1; done' >/dev/null 2>&1 &");
        org.awaitility.Awaitility.await().until(() -> !agent.stdoutOf(source, "cat /tmp/loop.pid 2>/dev/null || true").isEmpty());
        String loopPid = agent.stdoutOf(source, "cat /tmp/loop.pid");
        assertThat(agent.stdoutOf(source, "kill -0 " + loopPid + " && echo alive")).isEqualTo("alive");
        long qemuPid = Long.parseLong(Files.readString(layout().sandboxPidFile(source)).strip());

        Sandbox paused = pause(source);

        assertThat(paused.getState()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
        assertThat(paused.getPauseGeneration()).isEqualTo(1);
        assertThat(qemuGone(qemuPid)).as("QEMU exited (a zombie not yet reaped counts as gone)").isTrue();
        assertThat(Path.of("/run/netns", SandboxNetwork.namespaceName(source))).doesNotExist();
        assertThat(codeOf(() -> pause(source))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(codeOf(() -> agent.sh(source, "true"))).isNotEqualTo(Status.Code.OK);
        assertThat(codeOf(() -> resume(source, 7))).isEqualTo(Status.Code.FAILED_PRECONDITION);

        Sandbox resumed = resume(source, 1);

        assertThat(resumed.getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        assertThat(agent.stdoutOf(source, "cat /home/user/note")).isEqualTo("kept");
        assertThat(agent.stdoutOf(source, "kill -0 " + loopPid + " && echo alive")).isEqualTo("alive");
        assertThat(agent.stdoutOf(source, "echo $CREATOR_SECRET")).as("a resume gives the sandbox its own environment").isEqualTo("s3cret");
        assertClockIsTheHosts(source);
    }

    @Test
    @Order(2)
    void aCorruptPauseIsRefusedLoudlyAndTheSandboxStaysPaused() throws Exception {
        pause(source);
        Path state = layout().sandboxPauseDir(source).resolve("state");
        byte[] original = Files.readAllBytes(state);
        byte[] corrupt = original.clone();
        corrupt[corrupt.length / 2] ^= 0x5a;
        Files.write(state, corrupt);

        assertThat(codeOf(() -> resume(source, 0))).isEqualTo(Status.Code.DATA_LOSS);

        Files.write(state, original);
        assertThat(resume(source, 0).getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        assertThat(agent.stdoutOf(source, "cat /home/user/note")).isEqualTo("kept");
    }

    @Test
    @Order(3)
    void snapshotsOfARunningSandboxRestoreIntoIndependentSandboxesWithTheirOwnRandomnessAndTheRightTime() throws Exception {
        TemplateImage template = snapshot(source, "snap-a");

        assertThat(template.getType()).isEqualTo("snapshot");
        assertThat(template.getVcpus()).isEqualTo(1);
        assertThat(template.getMemoryMb()).isEqualTo(256);
        assertThat(template.getSizeBytes()).isPositive().isLessThan(256L << 20 + 1024L << 20);
        assertThat(agent.stdoutOf(source, "cat /home/user/note")).as("the source runs on").isEqualTo("kept");
        assertThat(codeOf(() -> snapshot(source, "snap-a"))).isEqualTo(Status.Code.ALREADY_EXISTS);

        String a = restore("snap-a");
        String b = restore("snap-a");

        assertThat(agent.stdoutOf(a, "cat /home/user/note")).isEqualTo("kept");
        assertThat(agent.stdoutOf(a, "echo \"[$CREATOR_SECRET]\"")).as("the snapshot's creator's variables stay with it").isEqualTo("[]");
        assertThat(Long.parseLong(agent.stdoutOf(a, "df -m / | tail -1 | awk '{print $2}'"))).as("the disk grew to the default 5120 MiB")
                .isGreaterThan(4000);
        assertThat(agent.stdoutOf(b, "cat /home/user/note")).isEqualTo("kept");
        agent.stdoutOf(a, "echo a > /home/user/note");
        assertThat(agent.stdoutOf(b, "cat /home/user/note")).isEqualTo("kept");
        assertThat(agent.stdoutOf(source, "cat /home/user/note")).isEqualTo("kept");
        assertThat(agent.stdoutOf(a, "head -c 32 /dev/urandom | od -An -tx1")).isNotEqualTo(agent.stdoutOf(b, "head -c 32 /dev/urandom | od -An -tx1"));
        assertClockIsTheHosts(a);
        assertThat(codeOf(() -> agent.stub.createSandbox(AgentFixture.minimal(UUID.randomUUID().toString())
                .setTemplateTeamId(teamId).setTemplateName("snap-a").setVcpus(2).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList())
                .anySatisfy(t -> assertThat(t.getName()).isEqualTo("snap-a"));
    }

    @Test
    @Order(4)
    void aRestoredSandboxPausesResumesAndSnapshotsThroughAMemoryFileOfItsOwn() {
        String clone = clones.getFirst();
        pause(clone);
        assertThat(resume(clone, 0).getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        assertThat(agent.stdoutOf(clone, "cat /home/user/note")).isEqualTo("a");

        String other = clones.get(1);
        snapshot(other, "snap-b");
        String grandchild = restore("snap-b");
        assertThat(agent.stdoutOf(grandchild, "cat /home/user/note")).isEqualTo("kept");
    }

    @Test
    @Order(5)
    void aPausedSandboxCanBeSnapshottedAndStaysPaused() {
        pause(source);
        snapshot(source, "snap-paused");

        assertThat(agent.stub.listSandboxes(io.wrenn.hostagent.protocol.ListSandboxesRequest.getDefaultInstance())
                .getSandboxesList()).anySatisfy(s -> {
                    assertThat(s.getSandboxId()).isEqualTo(source);
                    assertThat(s.getState()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
                });
        String child = restore("snap-paused");
        assertThat(agent.stdoutOf(child, "cat /home/user/note")).isEqualTo("kept");
    }

    @Test
    @Order(6)
    void aTemplateInUseCannotBeDeletedAndAnUnusedOneGoesAtOnce() {
        assertThat(codeOf(() -> agent.stub.deleteTemplate(DeleteTemplateRequest.newBuilder().setTeamId(teamId).setName("snap-a").build())))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        for (String clone : List.copyOf(clones)) {
            agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(clone).build());
        }
        agent.stub.deleteTemplate(DeleteTemplateRequest.newBuilder().setTeamId(teamId).setName("snap-a").build());

        assertThat(layout().snapshotDir(teamId, "snap-a")).doesNotExist();
        assertThat(agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList())
                .noneSatisfy(t -> assertThat(t.getName()).isEqualTo("snap-a"));
        assertThat(codeOf(() -> agent.stub.deleteTemplate(DeleteTemplateRequest.newBuilder()
                .setTeamId(Layout.PLATFORM_TEAM).setName("minimal").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    @Order(7)
    void aResumeAndARotationGiveTheGuestANewTokenAndItRefusesTheOldOne() throws Exception {
        if (record(source).phaseOrRunning() != io.wrenn.hostagent.sandbox.Sandbox.State.PAUSED) {
            pause(source);
        }
        String created = record(source).envdAccessToken();
        String resumedWith = newToken();

        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).resumeSandbox(ResumeSandboxRequest.newBuilder()
                .setSandboxId(source).setEnvdAccessToken(resumedWith).build());

        assertThat(record(source).envdAccessToken()).isEqualTo(resumedWith);
        assertThat(envdStatus(source, created)).as("the token it held before the pause").isEqualTo(401);
        assertThat(envdStatus(source, resumedWith)).isEqualTo(200);
        assertThat(agent.stdoutOf(source, "echo driven")).as("the agent drives it with the new token").isEqualTo("driven");

        String rotated = newToken();
        agent.stub.withDeadlineAfter(1, TimeUnit.MINUTES).rotateAccessToken(io.wrenn.hostagent.protocol.RotateAccessTokenRequest
                .newBuilder().setSandboxId(source).setEnvdAccessToken(rotated).build());

        assertThat(record(source).envdAccessToken()).isEqualTo(rotated);
        assertThat(envdStatus(source, resumedWith)).isEqualTo(401);
        assertThat(envdStatus(source, rotated)).isEqualTo(200);
        assertThat(agent.stdoutOf(source, "echo driven")).isEqualTo("driven");

        // A pause of the disk only: the resume boots a fresh guest, which takes the new token at its first /init.
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).pauseSandbox(PauseSandboxRequest.newBuilder().setSandboxId(source)
                .setDropMemory(true).build());
        String booted = newToken();
        agent.stub.withDeadlineAfter(3, TimeUnit.MINUTES).resumeSandbox(ResumeSandboxRequest.newBuilder()
                .setSandboxId(source).setEnvdAccessToken(booted).build());
        assertThat(envdStatus(source, rotated)).isEqualTo(401);
        assertThat(envdStatus(source, booted)).isEqualTo(200);
        assertThat(codeOf(() -> agent.stub.rotateAccessToken(io.wrenn.hostagent.protocol.RotateAccessTokenRequest.newBuilder()
                .setSandboxId(source).setEnvdAccessToken("short").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    private io.wrenn.hostagent.sandbox.SandboxRecord record(String id) throws java.io.IOException {
        return tools.jackson.databind.json.JsonMapper.builder().build()
                .readValue(layout().sandboxJson(id).toFile(), io.wrenn.hostagent.sandbox.SandboxRecord.class);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What the guest's envd answers {@code GET /envs} with {@code token}, straight from the host. */
    private int envdStatus(String id, String token) throws Exception {
        var address = new io.wrenn.hostagent.net.NetworkSlot(record(id).slot()).namespaceAddress();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + address + ":49983/envs"))
                .header("X-Access-Token", token).build();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private static boolean qemuGone(long pid) {
        try {
            return Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")).length == 0;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private void assertClockIsTheHosts(String id) {
        long before = System.currentTimeMillis();
        // busybox date has no %N; a new file's mtime is the guest's clock with sub-second precision.
        String stamp = agent.stdoutOf(id, "touch /tmp/now && stat -c %y /tmp/now");
        long guest = java.time.OffsetDateTime.parse(stamp.replaceFirst(" ", "T").replaceFirst(" ([+-]\\d\\d)(\\d\\d)$", "$1:$2"))
                .toInstant().toEpochMilli();
        long after = System.currentTimeMillis();
        assertThat(guest).isBetween(before - 1000, after + 1000);
    }
}
