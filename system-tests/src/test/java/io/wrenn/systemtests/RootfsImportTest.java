package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import tools.jackson.databind.JsonNode;

/**
 * A root filesystem tarball uploaded through the REST API becomes an image template of the
 * team, with real VMs (two cold boots: the builder and a sandbox of the result). The tarball is
 * a small glibc tree: a shell, coreutils and their libraries copied (read only) out of the
 * Debian base tree the image build keeps, plus a file of the test's. Hostile tarballs are
 * refused with a 400 naming the entry before anything is queued, and another team neither sees
 * nor uses the template.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class RootfsImportTest {
    private static final Duration BUILD_WAIT = Duration.ofMinutes(10);
    private static final Path DEBIAN_BASE = Path.of(System.getenv().getOrDefault("WRENN_IMAGES", "/root/.wrenn/images"),
            ".cache", "debian-base");
    /** A few dozen binaries of the Debian tree and the libraries they load: ~6 MB, boots with Wrenn's additions. */
    private static final String SMALL_ROOTFS = """
            set -euo pipefail
            base=$1 out=$2 extra=$3
            cd "$base"
            bins="dash bash cat ls id env sleep rm mkdir sync uname setpriv setsid head tr grep chown chmod touch mv cp ln pwd whoami true false echo"
            {
              printf '%s\\n' ./tmp ./root ./home ./usr ./usr/bin ./usr/sbin ./usr/lib ./usr/lib64 ./usr/lib/x86_64-linux-gnu ./etc ./var ./dev ./proc ./sys ./run
              printf '%s\\n' ./bin ./lib ./lib64 ./sbin ./etc/passwd ./etc/group ./etc/shadow ./etc/nsswitch.conf ./usr/bin/sh ./usr/lib64/ld-linux-x86-64.so.2
              for b in $bins; do echo "./usr/bin/$b"; done
              for b in $bins; do ldd "usr/bin/$b" | awk '/=> \\//{print $3}'; done | sort -u | while read -r lib; do
                rel=usr${lib#/usr}
                echo "./$rel"
                t=$(readlink "$rel" || true); [[ -z $t ]] || echo "./$(dirname "$rel")/$t"
              done
              echo ./usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            } | awk '!seen[$0]++' > "$out.list"
            tar -c --numeric-owner --no-recursion -f "$out" -T "$out.list"
            tar -r --numeric-owner -f "$out" -C "$extra" ./srv/imported.txt
            rm -f "$out.list"
            """;

    private WrennFixture wrenn;
    private WrennClient api;
    private Path work;

    @BeforeAll
    void start() throws IOException {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        work = Files.createTempDirectory("wrenn-rootfs-import-");
    }

    @AfterAll
    void stop() throws IOException {
        if (wrenn != null) {
            wrenn.close();
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void anImportedRootFilesystemBootsRunsCommandsAndStaysWithItsTeam() throws Exception {
        Path tarball = smallRootfs();
        Response queued = api.send("POST", "/v1/template-imports?name=imported-os", "application/octet-stream", gzip(Files.readAllBytes(tarball)));
        assertThat(queued.status()).as(queued.toString()).isEqualTo(201);
        String build = queued.json().get("id").asString();
        await().atMost(BUILD_WAIT).pollInterval(Duration.ofSeconds(2))
                .until(() -> api.get("/v1/builds/" + build).json().get("status").asString(), s -> !s.equals("queued") && !s.equals("running"));
        JsonNode done = api.get("/v1/builds/" + build).json();
        assertThat(done.get("status").asString()).as(done + "\n" + api.get("/v1/builds/" + build + "/logs").text()).isEqualTo("succeeded");

        JsonNode template = api.get("/v1/snapshots/imported-os").json();
        assertThat(template.get("type").asString()).isEqualTo("image");
        assertThat(template.get("default_user").asString()).isEqualTo("user");

        // another team neither lists nor uses it
        WrennClient other = api.withKey(wrenn.createTeamWithKey("other-team"));
        assertThat(other.get("/v1/snapshots/imported-os").status()).isEqualTo(404);
        Response foreign = other.post("/v1/sandboxes", Map.of("template", "imported-os"));
        assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404);

        String sandbox = api.createSandbox(Map.of("template", "imported-os")).get("id").asString();
        JsonNode inside = api.exec(sandbox, "sh", "-c", "cat /srv/imported.txt; whoami; test -L /usr/bin/sh && echo sh-link; test -x /opt/wrenn/jre/bin/java && echo jre");
        assertThat(inside.get("exit_code").asInt()).as(inside.toString()).isZero();
        assertThat(inside.get("stdout").asString()).isEqualTo("from the tarball\nuser\nsh-link\njre\n");

        assertThat(api.delete("/v1/snapshots/imported-os").status()).isEqualTo(409);
        assertThat(api.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);
        assertThat(api.delete("/v1/snapshots/imported-os").status()).isEqualTo(204);
        assertThat(api.get("/v1/snapshots/imported-os").status()).isEqualTo(404);
    }

    @Test
    void aTarballThatIsNoRootFilesystemIsRefusedInsideTheBuilderAndLeavesNothing() throws Exception {
        // Safe entries only, so the control plane queues it; only the builder can tell it boots nothing.
        byte[] notAnOs = gzip(tar(t -> file(t, "srv/readme.txt", "no /bin/sh here")));
        Response queued = api.send("POST", "/v1/template-imports?name=not-an-os", "application/octet-stream", notAnOs);
        assertThat(queued.status()).as(queued.toString()).isEqualTo(201);
        String build = queued.json().get("id").asString();
        await().atMost(BUILD_WAIT).pollInterval(Duration.ofSeconds(2))
                .until(() -> api.get("/v1/builds/" + build).json().get("status").asString(), s -> !s.equals("queued") && !s.equals("running"));
        JsonNode done = api.get("/v1/builds/" + build).json();
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("failed");
        assertThat(done.get("reason").asString()).as(done.toString()).contains("refused").contains("no /bin/sh");
        assertThat(api.get("/v1/snapshots/not-an-os").status()).as("no template made").isEqualTo(404);
        String builder = done.get("builder_id").asString();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> api.get("/v1/sandboxes/" + builder).json().get("status").asString().equals("stopped"));
    }

    @Test
    void hostileTarballsAreRefusedNamingTheEntryAndNothingIsQueued() throws IOException {
        refused("climb", tar(t -> file(t, "../escaped", "x")), "../escaped");
        refused("absolute", tar(t -> file(t, "/etc/escaped", "x")), "/etc/escaped");
        refused("through-link", tar(t -> {
            link(t, "etc", "/etc", TarConstants.LF_SYMLINK);
            file(t, "etc/escaped", "x");
        }), "etc/escaped");
        refused("hardlink-out", tar(t -> link(t, "passwd", "../../etc/passwd", TarConstants.LF_LINK)), "passwd");
        refused("device", tar(t -> {
            TarArchiveEntry dev = new TarArchiveEntry("dev/sda", TarConstants.LF_BLK);
            dev.setDevMajor(8);
            tar(t, dev);
        }), "dev/sda");
        refused("bomb", gzip(tar(t -> {
            for (int i = 0; i <= 100_000; i++) {
                file(t, "f" + i, "");
            }
        })), "more than 100000 entries");
        refused("not-a-tar", "just text".getBytes(StandardCharsets.UTF_8), "not a tar");

        for (JsonNode build : api.get("/v1/builds").json().get("builds")) {
            assertThat(build.get("name").asString()).as("only the other tests' imports are queued")
                    .isNotIn("climb", "absolute", "through-link", "hardlink-out", "device", "bomb", "not-a-tar");
        }
        assertThat(Path.of("/etc/escaped")).doesNotExist();
        try (Stream<Path> incoming = Files.list(wrenn.wrenn().files().buildFilesDir().resolve(".incoming"))) {
            assertThat(incoming.toList()).isEmpty();
        }
    }

    private void refused(String name, byte[] body, String named) {
        Response response = api.send("POST", "/v1/template-imports?name=" + name, "application/octet-stream", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains(named);
        assertThat(response.text()).doesNotContain("Exception").doesNotContain(wrenn.wrenn().files().buildFilesDir().toString());
    }

    private Path smallRootfs() throws Exception {
        Path extra = work.resolve("extra");
        Files.createDirectories(extra.resolve("srv"));
        Files.writeString(extra.resolve("srv/imported.txt"), "from the tarball\n");
        Path out = work.resolve("rootfs.tar");
        Process tar = new ProcessBuilder("bash", "-c", SMALL_ROOTFS, "small-rootfs", DEBIAN_BASE.toString(), out.toString(), extra.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor()).as(output).isZero();
        return out;
    }

    interface TarWriter {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tar(TarWriter writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            writer.write(tar);
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static void tar(TarArchiveOutputStream tar, TarArchiveEntry entry) throws IOException {
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setMode(0100644);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target, byte type) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setLinkName(target);
        tar(tar, entry);
    }
}
