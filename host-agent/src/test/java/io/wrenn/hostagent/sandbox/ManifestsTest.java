package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.vm.VmBuild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's files on disk carry a format and the build that saved a VM's state: files of
 * earlier agents still load, files of a newer agent are refused by name, and state saved by
 * another QEMU or machine type is refused with what differs instead of failing inside QEMU.
 */
class ManifestsTest {

    @TempDir
    Path home;
    private FakeHost host;
    private final String team = UUID.randomUUID().toString();

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(home);
    }

    @Test
    void filesOfEarlierAgentsWithoutAFormatStillLoad() throws Exception {
        Layout layout = host.layout;
        String id = UUID.randomUUID().toString();
        Files.createDirectories(layout.sandboxDir(id));
        Files.writeString(layout.sandboxJson(id), """
                {"spec":{"sandboxId":"%s","teamId":"%s","templateTeamId":"%s","templateName":"minimal","vcpus":1,
                 "memoryMb":256,"diskSizeMb":1024,"timeoutS":0,"env":{},"onTimeout":null},"slot":7,"accelerator":"tcg",
                 "defaultUser":"user","defaultWorkdir":"/home/user","startedAtMs":1,"expiresAtMs":0,"bootMs":3,
                 "envdAccessToken":"token","phase":"PAUSED","pauseGeneration":2,"ownMemory":true}
                """.formatted(id, team, Layout.PLATFORM_TEAM));
        Path pause = Files.createDirectories(home.resolve("pause"));
        Files.writeString(pause.resolve(PauseState.MANIFEST), """
                {"generation":2,"ignoreShared":true,"stateBytes":1,"stateCrc32c":"00000000","memoryBytes":0,
                 "memoryCrc32c":"","memoryChecksum":null}
                """);
        Path snapshot = home.resolve("snapshot.json");
        Files.writeString(snapshot, """
                {"name":"old","type":"snapshot","vcpus":1,"memory_mb":256,"disk_size_mb":1024,"default_user":"user",
                 "default_workdir":"/home/user","source_sandbox":"x","created_at_ms":5,"envd_access_token":"t"}
                """);

        assertThat(new SandboxStore(layout).read(id)).hasValueSatisfying(r -> {
            assertThat(r.pauseGeneration()).isEqualTo(2);
            assertThat(r.phaseOrRunning()).isEqualTo(Sandbox.State.PAUSED);
        });
        PauseState old = PauseState.read(pause);
        assertThat(old.generation()).isEqualTo(2);
        assertThat(old.vm()).isNull();
        SnapshotDescription description = SnapshotDescription.read(snapshot);
        assertThat(description.envdAccessToken()).isEqualTo("t");
        assertThat(description.vm()).isNull();
        // Unknown build: nothing to compare, so it loads.
        host.agent.recover();
    }

    @Test
    void filesOfANewerAgentAreRefusedByName() throws Exception {
        Path pause = Files.createDirectories(home.resolve("pause"));
        Files.writeString(pause.resolve(PauseState.MANIFEST), "{\"format\":99,\"generation\":1}");

        assertThatThrownBy(() -> PauseState.read(pause)).isInstanceOfSatisfying(SandboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(SandboxException.Kind.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("pause.json").contains("format 99").contains("newer host agent");
        });
    }

    @Test
    void newFilesRecordTheirFormatAndTheBuildThatSavedTheState() throws Exception {
        String id = host.boot();
        host.agent.snapshot(id, team, "snap");
        host.agent.pause(id);

        assertThat(Files.readString(host.layout.sandboxJson(id))).contains("\"format\" : " + SandboxStore.FORMAT);
        assertThat(Files.readString(host.layout.sandboxPauseDir(id).resolve(PauseState.MANIFEST)))
                .contains("\"format\" : " + PauseState.FORMAT).contains("7.2.0 (fake)");
        SnapshotDescription description = SnapshotDescription.read(host.layout.snapshotFiles(team, "snap").json());
        assertThat(description.vm()).isEqualTo(host.vms.build);
    }

    @Test
    void stateSavedByAnotherQemuIsRefusedNamingWhatDiffersAndNothingChanges() {
        String id = host.boot();
        host.agent.snapshot(id, team, "snap");
        host.agent.pause(id);
        VmBuild before = host.vms.build;
        host.vms.build = new VmBuild("QEMU emulator version 9.1.0 (fake)", before.machine(), before.kernelSha256());
        int vmsStarted = host.vms.states.size();

        assertThatThrownBy(() -> host.agent.resume(id, 0, 0)).isInstanceOfSatisfying(SandboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(SandboxException.Kind.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("7.2.0 (fake)").contains("9.1.0 (fake)");
        });
        assertThat(host.state(id)).isEqualTo(Sandbox.State.PAUSED);

        String clone = UUID.randomUUID().toString();
        assertThatThrownBy(() -> host.agent.create(FakeHost.spec(clone, team, "snap")))
                .isInstanceOfSatisfying(SandboxException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SandboxException.Kind.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).startsWith("the snapshot cannot be loaded on this host").contains("9.1.0 (fake)");
                });
        assertThat(host.vms.states).hasSize(vmsStarted);
        assertThat(host.layout.sandboxDir(clone)).doesNotExist();

        // Another kernel image alone does not stop a load: the guest's kernel is in its saved RAM.
        host.vms.build = new VmBuild(before.qemu(), before.machine(), "aa".repeat(32));
        host.agent.resume(id, 0, 0);
        assertThat(host.state(id)).isEqualTo(Sandbox.State.RUNNING);
    }
}
