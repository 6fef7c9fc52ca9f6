package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm starts against fakes of every host seam: the first create of a platform image boots cold
 * and primes the image's warm snapshot in the background through an internal VM nobody sees; the
 * next create of the same machine is restored from it and initialised as its own; anything else
 * boots cold. The same with real VMs: {@code it.WarmStartTest}.
 */
class WarmStartsTest {

    @TempDir
    Path home;
    private FakeHost host;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(home);
        host.vms.console = "Linux version 6.1 (fake)\n";
        host.agent.warmStarts(true);
    }

    private Sandbox create(int memoryMb, Map<String, String> env) {
        SandboxSpec spec = new SandboxSpec(UUID.randomUUID().toString(), UUID.randomUUID().toString(), Layout.PLATFORM_TEAM,
                "minimal", 1, memoryMb, 160, 0, env, null, null);
        return host.agent.create(spec);
    }

    private List<Path> warmEntries() throws IOException {
        Path image = host.layout.warmDir().resolve("minimal");
        if (!Files.isDirectory(image)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(image)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private List<String> sandboxDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(host.layout.sandboxesDir())) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFirstCreateBootsColdAndPrimesTheNextIsRestoredFromTheWarmSnapshotAndInitialisedAsItsOwn() throws Exception {
        Sandbox cold = create(256, Map.of("WHO", "first"));
        assertThat(cold.startedFrom()).isEqualTo(Sandbox.StartedFrom.COLD);
        await().atMost(Duration.ofSeconds(10)).until(host.agent::warmPrimingIdle);

        assertThat(warmEntries()).hasSize(1);
        Path entry = warmEntries().getFirst();
        assertThat(entry.resolve("snapshot.json")).exists();
        assertThat(entry.resolve("memory")).exists();
        assertThat(entry.resolve("state")).exists();
        assertThat(entry.resolve("disk.qcow2")).exists();
        SnapshotDescription saved = SnapshotDescription.read(entry.resolve("snapshot.json"));
        assertThat(saved.envdAccessToken()).as("the primer's envd was never given a token").isNull();
        assertThat(saved.envOrEmpty()).isEmpty();
        // The primer: booted, given no token and no environment, gone without a trace, never listed.
        Fakes.Guest primerGuest = host.guests.opened.get(1);
        assertThat(primerGuest.accessToken).as("its connection gives envd no token").isNull();
        assertThat(primerGuest.envInits).as("its one /init carries no environment").containsExactly(Map.of());
        assertThat(primerGuest.closed).isTrue();
        assertThat(host.agent.list()).extracting(Sandbox::id).containsExactly(cold.id());
        assertThat(sandboxDirs()).containsExactly(cold.id());
        assertThat(host.network.live).containsExactly(SandboxNetwork.namespaceName(cold.id()));
        assertThat(host.vms.running).containsExactly(cold.pid());
        assertThat(host.layout.warmDir().resolve("minimal")).isDirectoryNotContaining("glob:**/.staging-*");

        host.vms.console = null; // a restored guest prints nothing at start: what its console holds is the primer's
        Sandbox warm = create(256, Map.of("WHO", "second"));
        assertThat(host.layout.sandboxSerialLog(warm.id())).as("its console starts with the primer's boot")
                .hasContent("Linux version 6.1 (fake)\n");

        assertThat(warm.startedFrom()).isEqualTo(Sandbox.StartedFrom.WARM);
        assertThat(warm.record().ownMemory()).as("its RAM maps the warm snapshot's").isFalse();
        assertThat(warm.record().bootMs()).isPositive();
        assertThat(host.control.commands).contains("load " + warm.id());
        assertThat(host.disks.bases.getLast().getFileName().toString()).isEqualTo("base.disk.qcow2");
        Fakes.Guest guest = host.guests.opened.getLast();
        assertThat(guest.envInits).as("initialised with its own environment").containsExactly(Map.of("WHO", "second"));
        assertThat(guest.accessToken).isEqualTo(warm.record().envdAccessToken());
        assertThat(host.agent.warmPrimingIdle()).isTrue();
    }

    @Test
    void anotherMachineSizeBootsColdAndPrimesItsOwnKey() throws Exception {
        create(256, Map.of());
        await().atMost(Duration.ofSeconds(10)).until(host.agent::warmPrimingIdle);

        assertThat(create(512, Map.of()).startedFrom()).isEqualTo(Sandbox.StartedFrom.COLD);
        await().atMost(Duration.ofSeconds(10)).until(host.agent::warmPrimingIdle);

        assertThat(warmEntries()).as("one entry per machine size, same image files").hasSize(2);
        assertThat(create(512, Map.of()).startedFrom()).isEqualTo(Sandbox.StartedFrom.WARM);
    }

    @Test
    void aRebuiltImageIsNotServedFromTheOldSnapshotWhichGoesWhenTheNewOneIsPrimed() throws Exception {
        create(256, Map.of());
        await().atMost(Duration.ofSeconds(10)).until(host.agent::warmPrimingIdle);
        Path old = warmEntries().getFirst();

        Path rootfs = host.layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal");
        Files.delete(rootfs);
        Fakes.sparseFile(rootfs, 160);

        assertThat(create(256, Map.of()).startedFrom()).isEqualTo(Sandbox.StartedFrom.COLD);
        await().atMost(Duration.ofSeconds(10)).until(host.agent::warmPrimingIdle);
        assertThat(warmEntries()).hasSize(1).doesNotContain(old);
        assertThat(create(256, Map.of()).startedFrom()).isEqualTo(Sandbox.StartedFrom.WARM);
    }

    @Test
    void aWarmStartThatFailsIsUndoneAndTheCreateBootsCold() throws Exception {
        create(256, Map.of());
        await().atMost(Duration.ofSeconds(10)).until(host.agent::warmPrimingIdle);
        host.control.failing.add("load");

        Sandbox sandbox = create(256, Map.of());

        assertThat(sandbox.startedFrom()).isEqualTo(Sandbox.StartedFrom.COLD);
        assertThat(sandbox.record().ownMemory()).isTrue();
        assertThat(host.agent.list()).hasSize(2);
        assertThat(host.vms.running).hasSize(2);
        host.control.failing.clear();
        assertThat(create(256, Map.of()).startedFrom()).as("the failed key is avoided for a while").isEqualTo(Sandbox.StartedFrom.COLD);
    }

    @Test
    void withWarmStartsOffEveryCreateBootsColdAndNothingIsPrimed() throws Exception {
        host.agent.warmStarts(false);

        create(256, Map.of());
        create(256, Map.of());

        assertThat(host.agent.list()).extracting(Sandbox::startedFrom).containsOnly(Sandbox.StartedFrom.COLD);
        assertThat(host.agent.warmPrimingIdle()).isTrue();
        assertThat(warmEntries()).isEmpty();
    }

    @Test
    void aPrimerLeftByAnAgentThatDiedIsStoppedAndRemovedAtTheNextStartNeverAdopted() throws Exception {
        String id = UUID.randomUUID().toString();
        Files.createDirectories(host.layout.sandboxDir(id));
        Files.createFile(host.layout.sandboxWarmPrimerMarker(id));
        long pid = host.vms.start(new io.wrenn.hostagent.vm.VmSpec(SandboxNetwork.namespaceName(id), null, null, "",
                host.layout.sandboxOverlay(id), 1, 256, io.wrenn.hostagent.vm.Accelerator.TCG, host.layout.sandboxQmpSocket(id),
                host.layout.sandboxSerialLog(id), host.layout.sandboxPidFile(id), host.layout.sandboxQemuLog(id),
                host.layout.sandboxMemory(id), true, null, null));

        host.restart();

        assertThat(host.vms.running).doesNotContain(pid);
        assertThat(host.layout.sandboxDir(id)).doesNotExist();
        assertThat(host.agent.list()).isEmpty();
    }
}
