package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.cli.AllInOne;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennProcesses;
import java.io.IOException;
import java.io.RandomAccessFile;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * WRENN_HOME on a small loop-mounted ext4 filesystem (its PostgreSQL elsewhere, so the database
 * is not what fills up). With the filesystem full, a pause and a snapshot each fail on their own
 * with 507 {@code disk_full} and leave the sandbox as it was: running, its files intact, no
 * half snapshot listed; once space is freed the same sandbox pauses and resumes. A guest whose
 * own writes meet the full disk is stopped by QEMU (calls into it answer 507 meanwhile), and goes
 * on with every byte it wrote once there is room again. The mount and its loop device are removed
 * whatever happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("vm")
@Tag("root")
class DiskFullTest {

    private static final long FILESYSTEM_MB = 1536;
    private static final long LEFT_FREE_BYTES = 4L << 20;

    private Path base;
    private Path image;
    private Path home;
    private boolean mounted;
    private Layout layout;
    private AllInOne wrenn;
    private WrennClient api;
    private final List<String> sandboxes = new ArrayList<>();
    private String sandbox;

    @BeforeAll
    void start() throws Exception {
        base = Files.createTempDirectory("wrenn-full-");
        image = base.resolve("home.ext4");
        home = base.resolve("home");
        Files.createDirectories(home);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(FILESYSTEM_MB << 20); // sparse: costs what is written
        }
        run("mkfs.ext4", "-q", "-F", "-m", "0", image.toString());
        run("mount", "-o", "loop", image.toString(), home.toString());
        mounted = true;
        Path postgres = base.resolve("postgres");
        Files.createDirectories(postgres);
        Files.createSymbolicLink(home.resolve("postgres"), postgres);
        layout = Layout.of(home, Layout.fromEnvironment().imagesDir());
        // Admission keeps 2 GiB of a host's disk free by default; this one is smaller than that,
        // and the test is about what happens when it fills up after the sandboxes were admitted.
        // Cold boots only: a cold boot's RAM file reservation is under test, and a warm snapshot
        // primer would fill this small home with a VM of its own behind the test's back.
        wrenn = AllInOne.start(new AllInOne.Settings(layout, "127.0.0.1", 0, Duration.ofSeconds(1))
                .withEnvironment(Map.of("WRENN_HOST_RESERVED_DISK_MB", "0", "WRENN_DISK_OVERCOMMIT", "16",
                        io.wrenn.hostagent.HostAgentConfig.WARM_STARTS, "0")));
        api = new WrennClient(URI.create("http://127.0.0.1:" + wrenn.apiPort()), wrenn.apiKey());

        // A snapshot template in this home, and a sandbox restored from it: its RAM maps the
        // template privately, so a full disk cannot take pages from the running guest.
        String source = created(api.createSandbox(Map.of("template", "minimal", "memory_mb", 256)));
        assertThat(api.exec(source, "sh", "-c", "echo kept > /home/user/mark").get("exit_code").asInt()).isZero();
        ok(api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "full-base")), 201);
        assertThat(api.delete("/v1/sandboxes/" + source).status()).isEqualTo(204);
        sandboxes.remove(source);
        sandbox = created(api.createSandbox(Map.of("template", "full-base")));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (api != null) {
                for (String id : sandboxes) {
                    api.delete("/v1/sandboxes/" + id);
                }
            }
        } finally {
            try {
                if (wrenn != null) {
                    wrenn.close();
                }
                if (layout != null) {
                    destroyLeftVms();
                    assertThat(WrennProcesses.processesMentioning(home)).as("processes of this home").isEmpty();
                }
            } finally {
                if (mounted) {
                    run("umount", home.toString());
                }
                // mount -o loop detaches its loop device on umount; none may stay bound to the image.
                assertThat(output("losetup", "-j", image.toString())).as("loop devices of the image").isBlank();
                deleteTree(base);
            }
        }
    }

    @Test
    void aFullDiskFailsPauseAndSnapshotAloneAndLeavesTheSandboxAsItWas() throws Exception {
        Path filler = home.resolve("filler");
        fill(filler);

        WrennClient.Response pause = api.post("/v1/sandboxes/" + sandbox + "/pause", Map.of());
        assertDiskFull(pause);
        assertRunningWithItsFiles();

        WrennClient.Response snapshot = api.post("/v1/snapshots", Map.of("sandbox_id", sandbox, "name", "full-half"));
        assertDiskFull(snapshot);
        assertRunningWithItsFiles();
        assertThat(api.get("/v1/snapshots/full-half").status()).isEqualTo(404);
        assertThat(api.get("/v1/snapshots").json().findValuesAsString("name")).doesNotContain("full-half");

        // Space back: the same sandbox pauses and resumes, as if nothing had happened.
        Files.delete(filler);
        ok(api.post("/v1/sandboxes/" + sandbox + "/pause", Map.of()), 200);
        ok(api.post("/v1/sandboxes/" + sandbox + "/resume", Map.of()), 200);
        assertRunningWithItsFiles();
    }

    @Test
    void aGuestThatFillsTheHostsDiskIsStoppedAndGoesOnWithItsDataWholeOnceThereIsRoom() throws Exception {
        Path filler = home.resolve("filler");
        fill(filler);
        String onHost = io.wrenn.controlplane.ids.WireId.SANDBOX.decode(sandbox).orElseThrow().toString();
        // 32 MiB the overlay must grow by, flushed: QEMU stops the VM when the host refuses the write.
        CompletableFuture<JsonNode> write = CompletableFuture.supplyAsync(() -> api.exec(sandbox, Map.of("cmd", "sh",
                "args", List.of("-c", "dd if=/dev/urandom of=/home/user/big bs=1M count=32 conv=fsync 2>/dev/null"),
                "timeout_s", 600)));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> runState(onHost).equals("io-error"));
        assertThat(write).as("the guest's write, while its VM is stopped").isNotDone();
        // A call into the stopped guest answers at once that the disk is full, not after its timeout,
        // once the host agent has seen the stop (it looks every few seconds): a call made before
        // that waits on the guest, so each try here gives up after a while and the next one asks again.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .ignoreException(java.io.UncheckedIOException.class)
                .untilAsserted(() -> assertDiskFull(api.send(api.request("/v1/sandboxes/" + sandbox
                        + "/files?path=/home/user/mark").timeout(Duration.ofSeconds(15)).GET())));

        Files.delete(filler);

        JsonNode written = write.get(3, TimeUnit.MINUTES);
        assertThat(written.get("exit_code").asInt()).as(written.toString()).isZero();
        assertThat(runState(onHost)).isEqualTo("running");
        assertThat(api.exec(sandbox, "sh", "-c", "wc -c < /home/user/big").get("stdout").asString().trim())
                .isEqualTo(Integer.toString(32 << 20));
        assertRunningWithItsFiles();
    }

    /** QEMU's run state of the sandbox's VM, asked on its QMP socket. */
    private String runState(String onHost) {
        try (io.wrenn.hostagent.qmp.QmpClient qmp = io.wrenn.hostagent.qmp.QmpClient.connect(
                layout.sandboxQmpSocket(onHost), Duration.ofSeconds(10))) {
            return qmp.execute("query-status", null, Duration.ofSeconds(10)).path("status").asString("");
        } catch (io.wrenn.hostagent.qmp.QmpException e) {
            try (var files = Files.list(layout.sandboxDir(onHost))) {
                throw new AssertionError("no QMP at " + layout.sandboxQmpSocket(onHost) + "; the directory holds "
                        + files.map(p -> p.getFileName().toString()).toList(), e);
            } catch (IOException listing) {
                throw new AssertionError("no QMP and no directory at " + layout.sandboxQmpSocket(onHost), e);
            }
        }
    }

    private void assertDiskFull(WrennClient.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(507);
        JsonNode body = response.json();
        assertThat(body.get("code").asString()).isEqualTo("disk_full");
        assertThat(body.get("message").asString()).contains("disk is full").doesNotContain(home.toString());
    }

    private void assertRunningWithItsFiles() {
        assertThat(api.get("/v1/sandboxes/" + sandbox).json().get("status").asString()).isEqualTo("running");
        assertThat(api.exec(sandbox, "cat", "/home/user/mark").get("stdout").asString()).isEqualTo("kept\n");
    }

    /** Fills the filesystem of {@code filler} until only {@link #LEFT_FREE_BYTES} are free. */
    private static void fill(Path filler) throws IOException {
        long free = Files.getFileStore(filler.getParent()).getUsableSpace();
        run("fallocate", "-l", Long.toString(Math.max(0, free - LEFT_FREE_BYTES)), filler.toString());
        assertThat(Files.getFileStore(filler.getParent()).getUsableSpace()).isLessThan(2 * LEFT_FREE_BYTES);
    }

    private String created(JsonNode sandbox) {
        String id = sandbox.get("id").asString();
        sandboxes.add(id);
        return id;
    }

    private static JsonNode ok(WrennClient.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    /** VMs a failed test left on this home: destroyed by an agent of the home, as WrennProcesses.cleanUpHome does. */
    private void destroyLeftVms() {
        try (io.wrenn.hostagent.HostAgentServer cleaner = new io.wrenn.hostagent.HostAgentServer(
                io.wrenn.hostagent.HostAgentConfig.defaults(layout, "cleanup")
                        .withAccelerator(io.wrenn.hostagent.HostAgentConfig.AcceleratorChoice.TCG)).start()) {
            cleaner.sandboxes().list().forEach(s -> cleaner.sandboxes().destroy(s.id()));
        }
    }

    private static void run(String... command) throws IOException {
        String out = output(command);
        // output() has checked the exit code; the text is for failures only
        assertThat(out).isNotNull();
    }

    private static String output(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
