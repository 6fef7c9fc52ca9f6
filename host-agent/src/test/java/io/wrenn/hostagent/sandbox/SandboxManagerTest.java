package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.guest.GuestConnector;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Create's undo and the restart clean-up, with fakes for the network, disks and VMs. No guest
 * agent ever answers here, so every create fails: that is the point.
 */
class SandboxManagerTest {

    @TempDir
    Path home;
    private Layout layout;
    private final Fakes.Network network = new Fakes.Network();
    private final Fakes.Disks disks = new Fakes.Disks();
    private final Fakes.Vms vms = new Fakes.Vms();
    private SandboxManager manager;

    @BeforeEach
    void setUp() throws Exception {
        layout = Layout.of(home, home.resolve("images"));
        Fakes.minimalTemplate(layout);
        manager = new SandboxManager(layout, network, disks, vms, new Fakes.Control(vms), GuestConnector.envd(),
                new TemplateCatalog(layout, new Fakes.FailingCommands()),
                new BootPolicy(Duration.ofMillis(300), 2), Clock.systemUTC());
    }

    private static SandboxSpec spec(String id, int diskMb) {
        return new SandboxSpec(id, UUID.randomUUID().toString(), Layout.PLATFORM_TEAM, "minimal", 1, 256, diskMb, 0, Map.of(), null, null);
    }

    @Test
    void aVmThatDoesNotStartUndoesNetworkAndFiles() {
        vms.failStart = new IllegalStateException("qemu: bad argument");
        String id = UUID.randomUUID().toString();

        assertThatThrownBy(() -> manager.create(spec(id, 1024)))
                .isInstanceOfSatisfying(SandboxException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SandboxException.Kind.INTERNAL);
                    assertThat(e.getMessage()).doesNotContain(home.toString());
                });

        assertThat(network.created).singleElement().asString().startsWith(SandboxNetwork.namespaceName(id) + "@");
        String slot = network.created.getFirst().substring(network.created.getFirst().indexOf('@'));
        assertThat(network.deleted).containsExactly(SandboxNetwork.namespaceName(id));
        assertThat(layout.sandboxDir(id)).doesNotExist();
        assertThat(manager.list()).isEmpty();

        // The slot went back but rests: the next sandbox gets another one.
        String next = UUID.randomUUID().toString();
        assertThatThrownBy(() -> manager.create(spec(next, 1024))).isInstanceOf(SandboxException.class);
        assertThat(network.created).last().asString().startsWith(SandboxNetwork.namespaceName(next) + "@")
                .isNotEqualTo(SandboxNetwork.namespaceName(next) + slot);
    }

    @Test
    void aSilentGuestIsKilledAndRetriedOnAFreshDiskThenEverythingIsUndone() {
        String id = UUID.randomUUID().toString();

        assertThatThrownBy(() -> manager.create(spec(id, 1024)))
                .isInstanceOfSatisfying(SandboxException.class,
                        e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.UNAVAILABLE));

        assertThat(disks.overlays).hasSize(2);
        assertThat(vms.killed).hasSize(2);
        assertThat(vms.running).isEmpty();
        assertThat(network.live).isEmpty();
        assertThat(layout.sandboxDir(id)).doesNotExist();
    }

    @Test
    void aSlowBootWhoseConsoleSpeaksGetsItsGraceInsteadOfARetry() {
        Fakes.Guests guests = new Fakes.Guests();
        guests.upAfter = Duration.ofMillis(900);
        vms.console = "wrenn-setup: start at 9.52 s\n";
        SandboxManager patient = new SandboxManager(layout, network, disks, vms, new Fakes.Control(vms), guests,
                new TemplateCatalog(layout, new Fakes.FailingCommands()),
                new BootPolicy(Duration.ofMillis(300), 2, Duration.ofSeconds(10)), Clock.systemUTC());
        String id = UUID.randomUUID().toString();

        patient.create(spec(id, 1024));

        assertThat(disks.overlays).as("one boot, not killed and retried").hasSize(1);
        assertThat(vms.killed).isEmpty();
        patient.destroy(id);
    }

    @Test
    void aSilentBootGetsNoGrace() {
        Fakes.Guests guests = new Fakes.Guests();
        guests.upAfter = Duration.ofMillis(900);
        SandboxManager patient = new SandboxManager(layout, network, disks, vms, new Fakes.Control(vms), guests,
                new TemplateCatalog(layout, new Fakes.FailingCommands()),
                new BootPolicy(Duration.ofMillis(300), 2, Duration.ofSeconds(10)), Clock.systemUTC());
        String id = UUID.randomUUID().toString();

        assertThatThrownBy(() -> patient.create(spec(id, 1024))).isInstanceOf(SandboxException.class);
        assertThat(vms.killed).as("each silent boot killed at the deadline").hasSize(2);
    }

    @Test
    void parallelCreatesGetDistinctSlots() throws Exception {
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    manager.create(spec(UUID.randomUUID().toString(), 1024));
                } catch (SandboxException expected) {
                    // no guest agent answers here
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(network.created).hasSize(4);
        assertThat(network.created.stream().map(c -> c.substring(c.indexOf('@') + 1)).distinct()).hasSize(4);
        assertThat(network.live).isEmpty();
    }

    @Test
    void refusesADiskSmallerThanTheImageBeforeTouchingAnything() {
        assertThatThrownBy(() -> manager.create(spec(UUID.randomUUID().toString(), 100)))
                .isInstanceOfSatisfying(SandboxException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SandboxException.Kind.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("160");
                });
        assertThatThrownBy(() -> manager.create(new SandboxSpec(UUID.randomUUID().toString(), "", Layout.PLATFORM_TEAM,
                "nope", 1, 256, 0, 0, Map.of(), null, null)))
                .isInstanceOfSatisfying(SandboxException.class,
                        e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.NOT_FOUND));
        assertThat(network.created).isEmpty();
        assertThat(disks.overlays).isEmpty();
    }

    @Test
    void aDiskOfTheImagesSizeOrMoreUsesTheImageASmallerOneTheCompactImage() throws Exception {
        Files.writeString(layout.templateJson(Layout.PLATFORM_TEAM, "minimal"), """
                {"name":"minimal","default_user":"user","default_workdir":"/home/user","image_size_mb":160,"compact_size_mb":96}""");
        Fakes.sparseFile(layout.templateCompactRootfs(Layout.PLATFORM_TEAM, "minimal"), 96);
        Path image = layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal");
        Path compact = layout.templateCompactRootfs(Layout.PLATFORM_TEAM, "minimal");

        for (int diskMb : new int[] {160, 5120, 128, 96}) {
            // no guest agent answers here: the create fails after its disk was made
            assertThatThrownBy(() -> manager.create(spec(UUID.randomUUID().toString(), diskMb))).isInstanceOf(SandboxException.class);
        }
        // each attempt of a boot makes its own overlay: two per create; each on a link of its base
        // in the sandbox's own directory (the image as it was, whatever a rebuild does to its name)
        String linkedImage = "base." + image.getFileName();
        String linkedCompact = "base." + compact.getFileName();
        assertThat(disks.bases).map(base -> base.getFileName().toString()).containsExactly(linkedImage, linkedImage,
                linkedImage, linkedImage, linkedCompact, linkedCompact, linkedCompact, linkedCompact);
        assertThat(disks.bases).allSatisfy(base -> assertThat(base.getParent().getParent()).isEqualTo(layout.sandboxesDir()));

        assertThatThrownBy(() -> manager.create(spec(UUID.randomUUID().toString(), 95)))
                .isInstanceOfSatisfying(SandboxException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SandboxException.Kind.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("96 MiB");
                });
        assertThat(disks.bases).hasSize(8);
    }

    @Test
    void recoveryAdoptsLiveVmsAndCleansUpDeadOnes() throws Exception {
        SandboxStore store = new SandboxStore(layout);
        String alive = UUID.randomUUID().toString();
        String dead = UUID.randomUUID().toString();
        String unfinished = UUID.randomUUID().toString();
        for (String id : new String[] {alive, dead, unfinished}) {
            Files.createDirectories(layout.sandboxDir(id));
        }
        store.write(new SandboxRecord(spec(alive, 1024), 7, "tcg", "user", "/home/user", 1000, 0, 3000, "token", null, 0, true));
        store.write(new SandboxRecord(spec(dead, 1024), 8, "tcg", "user", "/home/user", 1000, 0, 3000, "token", null, 0, true));
        store.write(new SandboxRecord(spec(unfinished, 1024), 9, "tcg", "user", "/home/user", 1000, 0, 0, "token", null, 0, true));
        Files.writeString(layout.sandboxPidFile(alive), "4100001");
        Files.writeString(layout.sandboxPidFile(dead), "4100002");
        Files.writeString(layout.sandboxPidFile(unfinished), "4100003");
        vms.running.add(4100001L);
        vms.running.add(4100003L);
        network.live.add(SandboxNetwork.namespaceName(alive));
        network.live.add(SandboxNetwork.namespaceName(dead));
        network.live.add(SandboxNetwork.namespaceName(unfinished));
        network.live.add("wrenn-orphan00000");

        manager.recover();

        assertThat(manager.list()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(alive);
            assertThat(s.state()).isEqualTo(Sandbox.State.RUNNING);
            assertThat(s.pid()).isEqualTo(4100001L);
        });
        assertThat(layout.sandboxDir(dead)).doesNotExist();
        assertThat(layout.sandboxDir(unfinished)).doesNotExist();
        assertThat(vms.running).containsExactly(4100001L);
        assertThat(network.live).containsExactly(SandboxNetwork.namespaceName(alive));

        // The adopted VM dies: the next list drops it and the clean-up follows.
        vms.running.remove(4100001L);
        assertThat(manager.list()).isEmpty();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(layout.sandboxDir(alive)) && network.live.isEmpty());
    }
}
