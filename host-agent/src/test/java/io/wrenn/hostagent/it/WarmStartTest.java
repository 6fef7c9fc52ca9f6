package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.protocol.CreateSandboxRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import io.wrenn.hostagent.protocol.Sandbox;
import io.wrenn.hostagent.protocol.SandboxState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Warm starts with real VMs: the first create of a platform image boots cold and the agent primes
 * the image's warm snapshot in the background with a VM nobody sees; the creates after it are
 * restored from that snapshot, each initialised as its own (environment, token, entropy, disk);
 * a changed image is not served from the old snapshot; a primer left by a dead agent is stopped by
 * the next one; {@code WRENN_WARM_STARTS=0} boots cold. The agent gets an image directory of its
 * own (a copy of the shared {@code minimal}), so its warm snapshots and the image it "rebuilds"
 * are this test's alone, whatever the shared store holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class WarmStartTest {

    private static final Duration PRIMING = Duration.ofMinutes(6);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path home;
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    static Path images;

    private AgentFixture agent;
    private Layout layout;
    private final List<String> created = new ArrayList<>();
    /** The primers seen at work (their directories in the home), to check that none is left. */
    private final Set<String> primers = new HashSet<>();
    private long coldBootMs;

    @BeforeAll
    void startAgent() throws Exception {
        AgentFixture.assumeVmsPossible();
        Layout shared = Layout.of(home, AgentFixture.IMAGES);
        layout = Layout.of(home, images);
        Files.createDirectories(layout.kernelDir());
        Files.createSymbolicLink(layout.kernelImage(), shared.kernelImage());
        Files.createSymbolicLink(layout.initrdImage(), shared.initrdImage());
        Path minimal = Files.createDirectories(layout.templateDir(Layout.PLATFORM_TEAM, "minimal"));
        for (Path file : List.of(shared.templateRootfs(Layout.PLATFORM_TEAM, "minimal"),
                shared.templateCompactRootfs(Layout.PLATFORM_TEAM, "minimal"), shared.templateJson(Layout.PLATFORM_TEAM, "minimal"))) {
            if (Files.exists(file)) {
                new ProcessBuilder("cp", "--sparse=always", file.toString(), minimal.resolve(file.getFileName()).toString())
                        .inheritIO().start().waitFor();
            }
        }
        agent = new AgentFixture(home, images).warmStarts(true).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        if (layout != null) {
            assertThat(qemuOfThisHome()).as("no QEMU of this test's home is left").isEmpty();
            // Other agents may share the machine: only this test's namespaces are looked for.
            Set<String> ours = new HashSet<>();
            created.forEach(id -> ours.add(SandboxNetwork.namespaceName(id)));
            primers.forEach(id -> ours.add(SandboxNetwork.namespaceName(id)));
            assertThat(namespaces()).as("no namespace of this test is left").doesNotContainAnyElementsOf(ours);
        }
    }

    /** 1 vCPU, 256 MiB and the default disk, which is the image's own size: what a warm snapshot serves. */
    private CreateSandboxRequest.Builder request(String id) {
        return AgentFixture.minimal(id).setDiskSizeMb(0);
    }

    private Sandbox create(CreateSandboxRequest.Builder request) {
        Sandbox sandbox = agent.stub.withDeadlineAfter(3, TimeUnit.MINUTES).createSandbox(request.build());
        created.add(sandbox.getSandboxId());
        return sandbox;
    }

    private void destroy(String id) {
        agent.stub.withDeadlineAfter(1, TimeUnit.MINUTES).destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id).build());
    }

    private List<Path> warmEntries() throws IOException {
        Path dir = layout.warmImageDir("minimal");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".") && Files.exists(p.resolve("snapshot.json")))
                    .toList();
        }
    }

    private List<String> sandboxDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(layout.sandboxesDir())) {
            return dirs.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static Set<String> namespaces() throws IOException {
        Path run = Path.of("/run/netns");
        if (!Files.isDirectory(run)) {
            return Set.of();
        }
        try (Stream<Path> entries = Files.list(run)) {
            return new HashSet<>(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("wrenn-")).toList());
        }
    }

    /** PIDs of QEMU processes whose command line names this test's home. */
    private static List<Long> qemuOfThisHome() {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
                return cmdline.contains("qemu-system") && cmdline.contains(home.toString());
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    /**
     * As {@code JailedQemuTest} holds for a snapshot template: the QEMU of a warm-started sandbox
     * maps the warm snapshot's RAM from a sealed in-memory copy, holds no descriptor of the file
     * in the machine-wide store, and cannot write the copy through its own descriptor (what a
     * guest that broke into its QEMU would try, to reach every later sandbox of the image).
     */
    private void assertWarmMemoryUnwritable(String id, Path warmMemory) throws IOException {
        long pid = agent.server.sandboxes().running(id).pid();
        List<Path> ram = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target = Files.readSymbolicLink(fd).toString();
                assertThat(target).as("QEMU's descriptor %s", fd).doesNotStartWith(warmMemory.toString());
                if (target.startsWith("/memfd:wrenn-template-memory")) {
                    ram.add(fd);
                }
            }
        }
        assertThat(ram).as("the warm snapshot's RAM, sealed").hasSize(1);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(ram.get(0),
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(1);
            channel.read(first, 0);
            // Writing back the byte that is there: were the seal missing, nothing would change.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> channel.write(first.flip(), 0))
                    .isInstanceOf(IOException.class).hasMessageContaining("not permitted");
        }
    }

    /** Whether {@code pid} is a QEMU still running (a zombie not yet reaped is not). */
    private static boolean qemuRunning(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).contains("qemu-system");
        } catch (IOException e) {
            return false;
        }
    }

    private List<Path> stagingDirs() throws IOException {
        try (Stream<Path> entries = Files.list(layout.warmImageDir("minimal"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(Layout.WARM_STAGING_PREFIX)).toList();
        }
    }

    /**
     * Waits until the agent primed nothing more, asking it for its sandboxes all along: the
     * primer must never be among them.
     */
    private void awaitPrimedWhileListing() throws IOException {
        Set<String> listed = new HashSet<>();
        Set<String> seen = new HashSet<>();
        await().atMost(PRIMING).pollInterval(Duration.ofMillis(250)).until(() -> {
            agent.stub.listSandboxes(ListSandboxesRequest.getDefaultInstance()).getSandboxesList()
                    .forEach(s -> listed.add(s.getSandboxId()));
            seen.addAll(primerDirs());
            return agent.server.sandboxes().warmPrimingIdle();
        });
        primers.addAll(seen);
        assertThat(seen).as("a primer was at work").isNotEmpty();
        assertThat(listed).as("only sandboxes someone created are ever listed").isSubsetOf(created)
                .doesNotContainAnyElementsOf(seen);
        // Gone without a trace: its directory, its namespace.
        for (String primer : seen) {
            assertThat(layout.sandboxDir(primer)).doesNotExist();
            assertThat(namespaces()).doesNotContain(SandboxNetwork.namespaceName(primer));
        }
    }

    /** The directories of the home that belong to a primer. */
    private List<String> primerDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(layout.sandboxesDir())) {
            return dirs.filter(d -> Files.exists(d.resolve("warm-primer"))).map(d -> d.getFileName().toString()).toList();
        }
    }

    /** The status of a Connect call straight to the sandbox's envd with {@code token}. */
    private int envdStatus(String sandboxId, String token) throws Exception {
        String address = agent.server.sandboxes().running(sandboxId).slot().namespaceAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + ":49983/filesystem.Filesystem/Stat"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-Access-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"path\":\"/etc/hostname\"}"))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    @Order(1)
    void theFirstCreateBootsColdAndTheImageIsPrimedInTheBackgroundByAVmNobodySees() throws Exception {
        String cold = UUID.randomUUID().toString();
        Sandbox sandbox = create(request(cold));
        coldBootMs = sandbox.getBootMs();

        assertThat(sandbox.getStartedFrom()).isEqualTo("cold");
        awaitPrimedWhileListing();

        assertThat(warmEntries()).hasSize(1);
        Path entry = warmEntries().getFirst();
        for (String file : List.of("memory", "state", "disk.qcow2", "snapshot.json")) {
            assertThat(entry.resolve(file)).isRegularFile();
        }
        String description = Files.readString(entry.resolve("snapshot.json"));
        assertThat(description).as("the primer's envd never got a token").doesNotContain("envd_access_token\":\"");
        assertThat(Files.getPosixFilePermissions(layout.warmImageDir("minimal")))
                .containsOnly(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                        java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        // The primer is gone without a trace: its directory, QEMU and namespace.
        assertThat(sandboxDirs()).containsExactly(cold);
        assertThat(qemuOfThisHome()).hasSize(1);
        System.out.println("cold create of minimal: boot_ms " + coldBootMs);
    }

    @Test
    @Order(2)
    void theCreatesAfterItAreRestoredFromTheWarmSnapshotEachWithItsOwnEnvTokenEntropyAndDisk() throws Exception {
        String one = UUID.randomUUID().toString();
        String two = UUID.randomUUID().toString();
        long t0 = System.nanoTime();
        Sandbox first = create(request(one).putEnv("WHO", "one"));
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        int imageMb = first.getDiskSizeMb();
        Sandbox second = create(request(two).putEnv("WHO", "two").setDiskSizeMb(imageMb + 1024));

        assertThat(first.getStartedFrom()).isEqualTo("warm");
        assertThat(second.getStartedFrom()).isEqualTo("warm");
        System.out.println("warm create of minimal: boot_ms " + first.getBootMs() + " (call " + firstMs + " ms), "
                + second.getBootMs() + " with a disk grown by 1 GiB; cold was " + coldBootMs);
        assertThat(first.getBootMs()).isLessThan(coldBootMs);

        assertThat(Files.size(layout.sandboxSerialLog(one))).as("its console starts with the boot it was saved after").isPositive();
        assertWarmMemoryUnwritable(one, warmEntries().getFirst().resolve("memory"));
        assertThat(agent.stdoutOf(one, "echo $WHO")).isEqualTo("one");
        assertThat(agent.stdoutOf(two, "echo $WHO")).isEqualTo("two");
        assertThat(agent.stdoutOf(one, "echo hello > /home/user/note && cat /home/user/note")).isEqualTo("hello");
        assertThat(agent.stdoutOf(two, "cat /home/user/note 2>/dev/null || echo none")).as("disks are their own").isEqualTo("none");
        assertThat(Long.parseLong(agent.stdoutOf(two, "df -m / | awk 'NR==2 {print $2}'")))
                .as("the larger disk was grown before the sandbox was handed out").isGreaterThan(imageMb);
        // Without the reseed at /init, two guests of one saved state would draw the same bytes.
        String randomOne = agent.stdoutOf(one, "head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'");
        String randomTwo = agent.stdoutOf(two, "head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'");
        assertThat(randomOne).hasSize(64).isNotEqualTo(randomTwo);
        // Each guest holds its own token, and only it.
        String tokenOne = agent.server.sandboxes().running(one).record().envdAccessToken();
        String tokenTwo = agent.server.sandboxes().running(two).record().envdAccessToken();
        assertThat(tokenOne).isNotEqualTo(tokenTwo);
        assertThat(envdStatus(one, tokenTwo)).isEqualTo(401);
        assertThat(envdStatus(one, tokenOne)).isNotEqualTo(401);
        // Its clock is the host's, not the primer's.
        long guestSeconds = Long.parseLong(agent.stdoutOf(one, "date +%s"));
        assertThat(Math.abs(guestSeconds - Instant.now().getEpochSecond())).isLessThan(5);

        // Its first pause writes its whole RAM (it has no file of its own yet); it comes back as it was.
        Sandbox paused = agent.stub.withDeadlineAfter(3, TimeUnit.MINUTES).pauseSandbox(
                PauseSandboxRequest.newBuilder().setSandboxId(one).build());
        assertThat(paused.getState()).isEqualTo(SandboxState.SANDBOX_STATE_PAUSED);
        Sandbox resumed = agent.stub.withDeadlineAfter(3, TimeUnit.MINUTES).resumeSandbox(
                ResumeSandboxRequest.newBuilder().setSandboxId(one).setGeneration(1).build());
        assertThat(resumed.getState()).isEqualTo(SandboxState.SANDBOX_STATE_RUNNING);
        assertThat(agent.stdoutOf(one, "cat /home/user/note; echo $WHO")).isEqualTo("hello\none");

        destroy(one);
        destroy(two);
        assertThat(agent.server.sandboxes().warmPrimingIdle()).as("a warm start primes nothing").isTrue();
    }

    @Test
    @Order(3)
    void aChangedImageIsNotServedFromTheOldSnapshotWhichGoesOnceTheNewOneIsPrimed() throws Exception {
        Path old = warmEntries().getFirst();
        Path rootfs = layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal");
        // A rebuild puts a new file in place; a new modification time is enough to change the key.
        Files.setLastModifiedTime(rootfs, FileTime.from(Instant.now().plusSeconds(60)));

        Sandbox cold = create(request(UUID.randomUUID().toString()));
        assertThat(cold.getStartedFrom()).isEqualTo("cold");
        awaitPrimedWhileListing();

        assertThat(warmEntries()).hasSize(1).doesNotContain(old);
        assertThat(create(request(UUID.randomUUID().toString())).getStartedFrom()).isEqualTo("warm");
    }

    @Test
    @Order(4)
    void aPrimerLeftByAnAgentThatDiedIsStoppedByTheNextAgentOnItsHome() throws Exception {
        Files.setLastModifiedTime(layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal"),
                FileTime.from(Instant.now().plusSeconds(120)));
        CountDownLatch died = new CountDownLatch(1);
        agent.server.sandboxes().crashPoints(step -> {
            if (step.equals("warm.booted")) {
                died.countDown();
                throw new CrashRecoveryTest.AgentDied(step); // no undo runs, as after a kill -9
            }
        });
        assertThat(create(request(UUID.randomUUID().toString())).getStartedFrom()).isEqualTo("cold");
        assertThat(died.await(PRIMING.toSeconds(), TimeUnit.SECONDS)).as("the primer booted").isTrue();
        String primer = primerDirs().getFirst();
        primers.add(primer);
        long primerQemu = Long.parseLong(Files.readString(layout.sandboxPidFile(primer)).strip());
        assertThat(qemuRunning(primerQemu)).isTrue();

        agent.stop(); // destroys its sandboxes; the primer it lost track of runs on, as after a kill -9
        assertThat(qemuRunning(primerQemu)).as("left running").isTrue();
        assertThat(stagingDirs()).as("a crash leaves only staging").hasSize(1);
        agent = new AgentFixture(home, images).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);

        await().atMost(Duration.ofSeconds(30)).until(() -> !qemuRunning(primerQemu));
        assertThat(layout.sandboxDir(primer)).doesNotExist();
        assertThat(namespaces()).doesNotContain(SandboxNetwork.namespaceName(primer));
        assertThat(agent.stub.listSandboxes(ListSandboxesRequest.getDefaultInstance()).getSandboxesList()).isEmpty();
    }

    @Test
    @Order(5)
    void withWarmStartsOffEveryCreateBootsColdAndPrimesNothing() throws Exception {
        // The agent of the test before runs with WRENN_WARM_STARTS=0; the image is as the last primed entry knew it.
        Files.setLastModifiedTime(layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal"),
                FileTime.from(Instant.now().plusSeconds(60)));
        agent.stop();
        agent = new AgentFixture(home, images).warmStarts(true).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);
        create(request(UUID.randomUUID().toString()));
        awaitPrimedWhileListing();
        assertThat(stagingDirs()).as("the staging the dead primer left was removed by the next").isEmpty();
        assertThat(create(request(UUID.randomUUID().toString())).getStartedFrom()).as("served warm when on").isEqualTo("warm");
        List<Path> entries = warmEntries();
        agent.stop();
        agent = new AgentFixture(home, images).warmStarts(false).start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS);

        Sandbox sandbox = create(request(UUID.randomUUID().toString()));

        assertThat(sandbox.getStartedFrom()).isEqualTo("cold");
        assertThat(agent.server.sandboxes().warmPrimingIdle()).isTrue();
        assertThat(warmEntries()).isEqualTo(entries);
        assertThat(agent.stdoutOf(sandbox.getSandboxId(), "echo up")).isEqualTo("up");
    }

}
