package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.vm.VmControl.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent dies at every crash point of a pause, a resume and a snapshot (an Error: no undo
 * runs, as after a kill -9; the fake VMs and namespaces live on), and a fresh agent on the same
 * home must find the sandbox running or paused, never lost, with no half template. Each case
 * stands alone. The same with real VMs: {@code it.CrashRecoveryTest}.
 */
class RecoveryTest {

    @TempDir
    Path home;
    private FakeHost host;
    private String id;
    private final String team = UUID.randomUUID().toString();

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(home);
        id = host.boot();
    }

    private void dieAt(String step, Consumer<SandboxManager> call) {
        host.dieAt(step);
        assertThatThrownBy(() -> call.accept(host.agent)).isInstanceOf(FakeHost.AgentDied.class);
        host.restart();
    }

    private void pause(SandboxManager agent) {
        agent.pause(id);
    }

    private void resume(SandboxManager agent) {
        agent.resume(id, 0, 0);
    }

    private void assertRunning() {
        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.vm(id)).isEqualTo(RunState.RUNNING);
        assertThat(host.namespaceExists(id)).isTrue();
        Sandbox sandbox = host.agent.running(id);
        assertThat(sandbox.guest()).as("a connection of the new agent's own").isSameAs(host.guests.opened.getLast());
        assertThat(sandbox.record().phaseOrRunning()).isEqualTo(Sandbox.State.RUNNING);
    }

    private void assertPaused() {
        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(host.vm(id)).isNull();
        assertThat(host.namespaceExists(id)).isFalse();
        assertThat(host.layout.sandboxPauseDir(id).resolve(PauseState.STATE)).exists();
    }

    private void assertNoHalfTemplate(String name) throws Exception {
        assertThat(host.layout.snapshotDir(team, name)).doesNotExist();
        try (var staging = Files.list(host.layout.snapshotStagingDir())) {
            assertThat(staging.toList()).isEmpty();
        }
    }

    @Test
    void deathBeforeThePauseIsSavedLeavesItRunning() {
        dieAt("pause.saving", this::pause);
        assertRunning();
    }

    @Test
    void deathAfterSavingButBeforeTheCommitRunsTheStoppedVmOn() {
        dieAt("pause.saved", this::pause);
        assertRunning();
        assertThat(host.control.commands).contains("cont " + id);
        assertThat(host.layout.sandboxPauseStaging(id)).doesNotExist();
    }

    @Test
    void deathAfterTheCommitFinishesThePause() {
        dieAt("pause.committed", this::pause);
        assertPaused();
        resume(host.agent);
        assertRunning();
    }

    @Test
    void deathDuringAResumeLeavesItPausedAndResumable() {
        pause(host.agent);
        dieAt("resume.loading", this::resume);
        assertPaused();
        resume(host.agent);
        assertRunning();
    }

    @Test
    void deathAfterAResumeRanTheGuestKeepsItRunning() {
        pause(host.agent);
        // The resume got as far as running the guest; the agent died before writing it down.
        host.agent.crashPoints(step -> { });
        resume(host.agent);
        SandboxRecord running = host.agent.running(id).record();
        host.agent.running(id).record(running.withPhase(Sandbox.State.RESUMING));
        new SandboxStore(host.layout).write(running.withPhase(Sandbox.State.RESUMING));
        host.restart();
        assertRunning();
    }

    @Test
    void deathWhileASnapshotIsSavedLeavesNoTemplateAndTheSandboxRunning() throws Exception {
        dieAt("snapshot.saving", a -> a.snapshot(id, team, "half-a"));
        assertNoHalfTemplate("half-a");
        assertRunning();
    }

    @Test
    void deathBeforeASnapshotIsPromotedLeavesNoTemplateAndANewOneWorks() throws Exception {
        dieAt("snapshot.written", a -> a.snapshot(id, team, "half-b"));
        assertNoHalfTemplate("half-b");
        assertRunning();
        host.agent.snapshot(id, team, "half-b");
        assertThat(host.layout.snapshotDir(team, "half-b")).isDirectory();
    }

    @Test
    void deathWhileSnapshottingAPausedSandboxLeavesItPaused() throws Exception {
        pause(host.agent);
        dieAt("snapshot.written", a -> a.snapshot(id, team, "half-c"));
        assertNoHalfTemplate("half-c");
        assertPaused();
        resume(host.agent);
        assertRunning();
    }

    @Test
    void aRunningSandboxIsReadoptedOnANewConnectionAndItsSlotIsNotGivenAgain() {
        Sandbox before = host.agent.running(id);
        host.restart();
        assertRunning();
        String other = host.boot();
        assertThat(host.agent.running(other).slot()).isNotEqualTo(before.slot());
    }

    @Test
    void aSandboxWhoseVmDiedWhileTheAgentWasDownIsCleanedUp() {
        long pid = host.agent.running(id).pid();
        host.vms.crash(pid);
        host.restart();
        assertThat(host.state(id)).isEqualTo(Sandbox.State.STOPPED);
        assertThat(host.namespaceExists(id)).isFalse();
        assertThat(host.layout.sandboxDir(id)).doesNotExist();
    }
}
