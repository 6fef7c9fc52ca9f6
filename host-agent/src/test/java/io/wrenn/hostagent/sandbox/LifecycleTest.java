package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.vm.VmControl.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Create, pause, resume, snapshot, restore and destroy against fakes of every host seam: what
 * each job asks of QEMU, the network and the guest, and how it undoes itself when a step fails.
 * The same paths with real VMs: {@code it.SandboxLifecycleTest} and {@code it.SnapshotLifecycleTest}.
 */
class LifecycleTest {

    @TempDir
    Path home;
    private FakeHost host;
    private final String team = UUID.randomUUID().toString();

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(home);
    }

    @Test
    void aPauseSavesCommitsAndReleasesAndAResumeComesBackOnANewConnection() {
        String id = host.boot();
        Fakes.Guest booted = host.guests.opened.getLast();
        String firstAddress = booted.address;

        host.agent.pause(id);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(host.vm(id)).as("the VM is gone").isNull();
        assertThat(host.namespaceExists(id)).isFalse();
        assertThat(booted.closed).isTrue();
        assertThat(host.layout.sandboxPauseDir(id).resolve(PauseState.STATE)).exists();
        assertThat(host.layout.sandboxPauseStaging(id)).doesNotExist();
        assertThat(host.control.commands).containsSubsequence("stop " + id, "save " + id);

        host.agent.resume(id, 1, 0);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.vm(id)).isEqualTo(RunState.RUNNING);
        assertThat(host.agent.running(id).envdVersion()).as("asked of the resumed guest").isEqualTo("0.6.3");
        Fakes.Guest resumed = host.guests.opened.getLast();
        assertThat(resumed).isNotSameAs(booted);
        assertThat(resumed.address).as("the freed slot rests").isNotEqualTo(firstAddress);
        assertThat(host.agent.running(id).guest()).isSameAs(resumed);
        assertThat(host.layout.sandboxPauseDir(id)).doesNotExist();

        host.agent.destroy(id);
        assertThat(resumed.closed).isTrue();
        assertThat(host.vms.running).isEmpty();
        assertThat(host.network.live).isEmpty();
        assertThat(host.layout.sandboxDir(id)).doesNotExist();
    }

    @Test
    void aPauseWithoutMemoryKeepsTheFlushedDiskDropsTheRamAndTheResumeBootsTheDisk() throws Exception {
        String id = host.boot();
        Fakes.Guest booted = host.guests.opened.getLast();
        Path overlay = host.layout.sandboxOverlay(id);
        Path memory = host.layout.sandboxMemory(id);
        Files.writeString(overlay, "the sandbox's files");
        assertThat(memory).exists();

        host.agent.pause(id, false);

        assertThat(booted.syncs).as("the guest flushed its writes first").hasValue(1);
        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(host.vm(id)).isNull();
        assertThat(host.namespaceExists(id)).isFalse();
        assertThat(memory).as("the RAM's space is freed").doesNotExist();
        assertThat(host.layout.sandboxPauseDir(id).resolve(PauseState.STATE)).as("no device state").doesNotExist();
        assertThat(host.control.commands).contains("stop " + id).doesNotContain("save " + id);
        assertThat(host.agent.pausedWithoutMemory(host.agent.list().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow()))
                .isTrue();

        int loadsBefore = (int) host.control.commands.stream().filter(c -> c.startsWith("load ")).count();
        host.agent.resume(id, 1, 0);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.vm(id)).as("booted, not waiting for state").isEqualTo(RunState.RUNNING);
        assertThat(host.control.commands.stream().filter(c -> c.startsWith("load ")).count()).isEqualTo(loadsBefore);
        assertThat(Files.readString(overlay)).as("the same disk, not a fresh overlay").isEqualTo("the sandbox's files");
        Fakes.Guest rebooted = host.guests.opened.getLast();
        assertThat(rebooted).isNotSameAs(booted);
        assertThat(rebooted.envInits).as("the booted guest was initialised with the sandbox's environment").hasSize(1);
        assertThat(host.layout.sandboxPauseDir(id)).doesNotExist();
        host.agent.destroy(id);
        assertThat(host.vms.running).isEmpty();
    }

    @Test
    void aPauseWithoutMemoryWhoseGuestCannotFlushLeavesItRunning() {
        String id = host.boot();
        host.guests.opened.getLast().syncFails = true;

        assertThatThrownBy(() -> host.agent.pause(id, false)).isInstanceOf(SandboxException.class);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.vm(id)).isEqualTo(RunState.RUNNING);
        assertThat(host.layout.sandboxPauseDir(id)).doesNotExist();
        host.agent.destroy(id);
    }

    @Test
    void aRebootResumeOfAMemoryPauseBootsTheDiskAndAFailedBootLeavesADiskOnlyPause() {
        String id = host.boot();
        host.agent.pause(id);
        host.vms.failStart = new RuntimeException("no QEMU today");

        assertThatThrownBy(() -> host.agent.resume(id, 0, 0, true)).isInstanceOf(SandboxException.class);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(PauseState.read(host.layout.sandboxPauseDir(id)).diskOnly()).as("the memory was given up").isTrue();
        host.vms.failStart = null;
        host.agent.resume(id, 0, 0);
        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.control.commands).as("nothing was loaded").noneMatch(c -> c.startsWith("load "));
        host.agent.destroy(id);
    }

    @Test
    void aBootedGuestTooBusyToAnswerItsFirstInitsIsInitialisedAllTheSame() {
        host.guests.initsUnanswered = 2; // found by the bench: one cold boot in eight at once failed so
        String id = host.boot();
        assertThat(host.agent.running(id)).isNotNull();
        assertThat(host.guests.opened.getLast().envInits).as("taken once, by the third attempt").hasSize(1);
        host.agent.destroy(id);
    }

    @Test
    void aGuestSlowToTakeItsInitHasItsClockSetAgainOverTheOpenConnection() {
        String id = host.boot();
        host.agent.pause(id);

        host.guests.initTakes = Duration.ofMillis(200);
        host.agent.resume(id, 1, 0);
        assertThat(host.guests.opened.getLast().clockSets).as("the /init's timestamp is 200 ms late").hasSize(1);

        host.agent.pause(id);
        host.guests.initTakes = Duration.ZERO;
        host.agent.resume(id, 2, 0);
        assertThat(host.guests.opened.getLast().clockSets).as("a quick /init set it well enough").isEmpty();

        // A guest too busy to answer the clock's second setting is up all the same (found by the soak).
        host.agent.pause(id);
        host.guests.initTakes = Duration.ofMillis(200);
        host.guests.clockAnswers = false;
        host.agent.resume(id, 3, 0);
        assertThat(host.agent.running(id)).isNotNull();
        host.agent.destroy(id);
    }

    @Test
    void aResumeOfAnotherGenerationIsRefusedAndTheSandboxStaysPaused() {
        String id = host.boot();
        host.agent.pause(id);

        assertThatThrownBy(() -> host.agent.resume(id, 7, 0)).isInstanceOfSatisfying(SandboxException.class,
                e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.FAILED_PRECONDITION));
        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(host.vms.running).isEmpty();
    }

    @Test
    void aLoadThatFailsUndoesTheResumeAndLeavesItPausedAndResumable() {
        String id = host.boot();
        host.agent.pause(id);
        int guests = host.guests.opened.size();
        host.control.failing.add("load");

        assertThatThrownBy(() -> host.agent.resume(id, 0, 0)).isInstanceOf(SandboxException.class);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(host.vms.running).isEmpty();
        assertThat(host.namespaceExists(id)).isFalse();
        assertThat(host.guests.opened.subList(guests, host.guests.opened.size())).allSatisfy(g -> assertThat(g.closed).isTrue());
        host.control.failing.clear();
        host.agent.resume(id, 0, 0);
        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
    }

    @Test
    void aPauseWhoseSaveFailsRunsTheVmOn() {
        String id = host.boot();
        host.control.failing.add("save");

        assertThatThrownBy(() -> host.agent.pause(id)).isInstanceOf(SandboxException.class);

        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.vm(id)).isEqualTo(RunState.RUNNING);
        assertThat(host.layout.sandboxPauseStaging(id)).doesNotExist();
    }

    @Test
    void aPauseWhoseCommitFailsRunsTheVmOnInsteadOfLeavingItFrozen() {
        String id = host.boot();
        // Something in the way of the commit's rename: it fails after the state was saved.
        host.agent.crashPoints(step -> {
            if (step.equals("pause.saved")) {
                try {
                    Files.createDirectories(host.layout.sandboxPauseDir(id));
                    Files.writeString(host.layout.sandboxPauseDir(id).resolve("in-the-way"), "x");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });

        assertThatThrownBy(() -> host.agent.pause(id)).isInstanceOf(SandboxException.class);

        assertThat(host.vm(id)).as("the guest runs again").isEqualTo(RunState.RUNNING);
        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.agent.running(id).record().phaseOrRunning()).isEqualTo(Sandbox.State.RUNNING);
        assertThat(host.layout.sandboxPauseStaging(id)).doesNotExist();
    }

    @Test
    void aSnapshotOfARunningSandboxKeepsItRunningAndRestoresIntoIndependentSandboxes() {
        String source = host.boot();

        Template snapshot = host.agent.snapshot(source, team, "snap");

        assertThat(snapshot.isSnapshot()).isTrue();
        assertThat(host.vm(source)).isEqualTo(RunState.RUNNING);
        assertThat(host.control.commands).containsSubsequence("stop " + source, "save " + source, "cont " + source);

        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        host.agent.create(FakeHost.spec(a, team, "snap"));
        host.agent.create(FakeHost.spec(b, team, "snap"));
        assertThat(host.control.commands).contains("load " + a, "cont " + a, "load " + b, "cont " + b);
        assertThat(host.agent.running(a).guest()).isNotSameAs(host.agent.running(b).guest());
        assertThat(host.agent.running(a).slot()).isNotEqualTo(host.agent.running(b).slot());
        assertThat(host.agent.running(a).record().ownMemory()).isFalse();
    }

    @Test
    void sandboxAndTemplateDirectoriesAreOnlyRootsWhateverTheUmask() throws Exception {
        String source = host.boot();
        host.agent.snapshot(source, team, "private");

        for (Path dir : java.util.List.of(host.layout.sandboxesDir(), host.layout.sandboxDir(source),
                host.layout.snapshotsDir(), host.layout.snapshotDir(team, "private").getParent())) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .as(dir.toString()).isEqualTo("rwx------");
        }
    }

    @Test
    void aSnapshotKeepsItsTemplatesEnvironmentButNeverItsCreatorsOwn() {
        String source = UUID.randomUUID().toString();
        host.agent.create(new SandboxSpec(source, team, Layout.PLATFORM_TEAM, "minimal", 1, 256, 1024, 0,
                Map.of("CREATOR_SECRET", "s3cret"), null, null));

        host.agent.snapshot(source, team, "with-defaults", new GuestDefaults("", "", Map.of("MODE", "built")));
        // The source runs on with its own environment back.
        assertThat(((Fakes.Guest) host.agent.running(source).guest()).envInits).last()
                .isEqualTo(Map.of("CREATOR_SECRET", "s3cret"));
        // A snapshot of a sandbox of that snapshot inherits the template's defaults, not the creator's.
        String middle = UUID.randomUUID().toString();
        host.agent.create(new SandboxSpec(middle, team, team, "with-defaults", 1, 256, 1024, 0,
                Map.of("MIDDLE_SECRET", "x"), null, null));
        Template derived = host.agent.snapshot(middle, team, "derived");
        assertThat(derived.defaultEnv()).isEqualTo(Map.of("MODE", "built"));

        String clone = UUID.randomUUID().toString();
        host.agent.create(new SandboxSpec(clone, UUID.randomUUID().toString(), team, "derived", 1, 256, 1024, 0,
                Map.of("OWN", "yes"), null, null));
        // Restored, its guest is told its whole environment, which replaces the one in the saved memory.
        assertThat(((Fakes.Guest) host.agent.running(clone).guest()).envInits)
                .containsExactly(Map.of("MODE", "built", "OWN", "yes"));
    }

    @Test
    void aSnapshotOfAPausedSandboxThatHadToRunItPausesItAgainWhenTheCopyFails() {
        String source = host.boot();
        host.agent.snapshot(source, team, "base");
        String clone = UUID.randomUUID().toString();
        host.agent.create(FakeHost.spec(clone, team, "base"));
        // Restored, then paused: its saved state holds its RAM, so a snapshot has to run it first.
        host.agent.pause(clone);
        host.disks.failCopy = new IllegalStateException("disk full");

        assertThatThrownBy(() -> host.agent.snapshot(clone, team, "of-paused")).isInstanceOf(SandboxException.class);

        assertThat(host.state(clone)).isEqualTo(Sandbox.State.PAUSED);
        assertThat(host.vm(clone)).isNull();
        assertThat(host.layout.snapshotDir(team, "of-paused")).doesNotExist();
        host.disks.failCopy = null;
        host.agent.resume(clone, 0, 0);
        assertThat(host.state(clone)).isEqualTo(Sandbox.State.RUNNING);
    }

    @Test
    void aVmThatDiesIsCleanedUpOnceUnderItsLockAndNotMarkedStoppedBehindAJobsBack() throws Exception {
        String id = host.boot();
        Sandbox sandbox = host.agent.running(id);
        host.vms.crash(sandbox.pid());

        sandbox.lock.lock();
        try {
            assertThat(host.agent.list()).isEmpty();
            assertThat(host.agent.list()).isEmpty();
            assertThatThrownBy(() -> host.agent.running(id)).isInstanceOf(SandboxException.class);
            // A job holding the lock owns the state: a lookup does not change it behind its back.
            assertThat(sandbox.state()).isEqualTo(Sandbox.State.RUNNING);
        } finally {
            sandbox.lock.unlock();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.state() == Sandbox.State.STOPPED
                && !host.namespaceExists(id) && Files.notExists(host.layout.sandboxDir(id)));
        assertThat(host.network.deleted).containsOnlyOnce(SandboxNetwork.namespaceName(id));
    }

    @Test
    void aPausedSandboxKeepsItsConsoleForReadingAndADestroyedOrUnknownOneIsNotFound() throws Exception {
        String id = host.boot();
        Files.writeString(host.layout.sandboxSerialLog(id), "booted\n");
        assertThat(host.agent.console(id, 0).text()).isEqualTo("booted\n");

        host.agent.pause(id);
        assertThat(host.agent.console(id, 0)).as("read while paused").satisfies(tail -> {
            assertThat(tail.text()).isEqualTo("booted\n");
            assertThat(tail.truncated()).isFalse();
        });

        host.agent.destroy(id);
        for (String gone : new String[] {id, UUID.randomUUID().toString(), "../" + id}) {
            assertThatThrownBy(() -> host.agent.console(gone, 0)).as(gone).isInstanceOfSatisfying(SandboxException.class,
                    e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.NOT_FOUND));
        }
    }
}
