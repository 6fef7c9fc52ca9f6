package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.protocol.CreateSnapshotRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import io.wrenn.hostagent.protocol.SandboxState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * The agent dies in the middle of a pause, a resume or a snapshot; a fresh agent on the same
 * home must find the sandbox running or paused (never lost) and no half template. The death
 * is simulated at each named step (an {@link Error} thrown from the crash point: nothing is
 * undone, exactly as after a kill -9; QEMU, a separate process, lives on), then the agent is
 * closed leaving VMs running and a new one starts on the same home.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class CrashRecoveryTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;

    private AgentFixture agent;
    private final String team = UUID.randomUUID().toString();
    private final String id = UUID.randomUUID().toString();

    /** Simulated death of the agent at a step. */
    static final class AgentDied extends Error {
        AgentDied(String step) {
            super("agent died at " + step);
        }
    }

    @BeforeAll
    void start() {
        AgentFixture.assumeVmsPossible();
        agent = new AgentFixture(home).start(HostAgentConfig.ShutdownPolicy.LEAVE_RUNNING);
        agent.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSandbox(AgentFixture.minimal(id).setTeamId(team).build());
        assertThat(agent.sh(id, "echo survivor > /home/user/mark").exited().getExitCode()).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.stop();
            try (AgentFixture cleaner = new AgentFixture(home).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS)) {
                cleaner.server.sandboxes().list().forEach(s -> cleaner.server.sandboxes().destroy(s.id()));
            }
        }
    }

    /** Runs {@code call} with the agent dying at {@code step}, then restarts the agent on the same home. */
    private void dieAt(String step, Consumer<AgentFixture> call) throws Exception {
        agent.server.sandboxes().crashPoints(reached -> {
            if (reached.equals(step)) {
                throw new AgentDied(step);
            }
        });
        assertThatThrownBy(() -> call.accept(agent)).isInstanceOf(StatusRuntimeException.class);
        agent.stop();
        agent = new AgentFixture(home).start(HostAgentConfig.ShutdownPolicy.LEAVE_RUNNING);
    }

    private SandboxState state() {
        return agent.stub.listSandboxes(ListSandboxesRequest.getDefaultInstance()).getSandboxesList().stream()
                .filter(s -> s.getSandboxId().equals(id)).findFirst().orElseThrow().getState();
    }

    private void assertRunningWithItsFiles() {
        assertThat(state()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        assertThat(agent.sh(id, "cat /home/user/mark").stdout().strip()).isEqualTo("survivor");
    }

    private void pause(AgentFixture a) {
        a.stub.withDeadlineAfter(2, TimeUnit.MINUTES).pauseSandbox(PauseSandboxRequest.newBuilder().setSandboxId(id).build());
    }

    private void resume(AgentFixture a) {
        a.stub.withDeadlineAfter(2, TimeUnit.MINUTES).resumeSandbox(ResumeSandboxRequest.newBuilder().setSandboxId(id).build());
    }

    private void snapshot(AgentFixture a, String name) {
        a.stub.withDeadlineAfter(2, TimeUnit.MINUTES).createSnapshot(CreateSnapshotRequest.newBuilder()
                .setSandboxId(id).setTeamId(team).setName(name).build());
    }

    private void assertNoHalfTemplate(String name) throws Exception {
        Layout layout = Layout.of(home, AgentFixture.IMAGES);
        assertThat(agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList())
                .noneSatisfy(t -> assertThat(t.getName()).isEqualTo(name));
        assertThat(layout.snapshotDir(team, name)).doesNotExist();
        try (var staging = Files.list(layout.snapshotStagingDir())) {
            assertThat(staging.toList()).isEmpty();
        }
    }

    @Test
    @Order(1)
    void deathBeforeThePauseIsSavedLeavesItRunning() throws Exception {
        dieAt("pause.saving", this::pause);
        assertRunningWithItsFiles();
    }

    @Test
    @Order(2)
    void deathAfterSavingButBeforeTheCommitRunsTheStoppedVmOn() throws Exception {
        dieAt("pause.saved", this::pause);
        assertRunningWithItsFiles();
        assertThat(Layout.of(home, AgentFixture.IMAGES).sandboxPauseStaging(id)).doesNotExist();
    }

    @Test
    @Order(3)
    void deathAfterTheCommitFinishesThePause() throws Exception {
        dieAt("pause.committed", this::pause);
        assertThat(state()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
        resume(agent);
        assertRunningWithItsFiles();
    }

    @Test
    @Order(4)
    void deathDuringAResumeLeavesItPausedAndResumable() throws Exception {
        pause(agent);
        dieAt("resume.loading", this::resume);
        assertThat(state()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
        resume(agent);
        assertRunningWithItsFiles();
    }

    @Test
    @Order(5)
    void deathWhileASnapshotIsSavedLeavesNoTemplateAndTheSandboxRunning() throws Exception {
        dieAt("snapshot.saving", a -> snapshot(a, "half-a"));
        assertNoHalfTemplate("half-a");
        assertRunningWithItsFiles();
    }

    @Test
    @Order(6)
    void deathBeforeASnapshotIsPromotedLeavesNoTemplate() throws Exception {
        dieAt("snapshot.written", a -> snapshot(a, "half-b"));
        assertNoHalfTemplate("half-b");
        assertRunningWithItsFiles();
        snapshot(agent, "half-b");
        assertThat(agent.stub.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList())
                .anySatisfy(t -> assertThat(t.getName()).isEqualTo("half-b"));
    }

    @Test
    @Order(7)
    void deathWhileSnapshottingAPausedSandboxLeavesItPaused() throws Exception {
        pause(agent);
        dieAt("snapshot.written", a -> snapshot(a, "half-c"));
        assertNoHalfTemplate("half-c");
        assertThat(state()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
        resume(agent);
        assertRunningWithItsFiles();
    }
}
