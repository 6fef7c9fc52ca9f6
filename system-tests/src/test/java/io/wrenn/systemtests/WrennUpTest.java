package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.wrenn.cli.HomeFiles;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import io.wrenn.testkit.WrennProcesses;

/**
 * `wrenn up` as an operator runs it: the launcher's own Java command in a separate process,
 * stopped by SIGTERM (what Ctrl-C and systemd send), started again on the same home.
 */
@Tag("vm")
class WrennUpTest {
    private static final Pattern PRINTED_KEY = Pattern.compile("API key\\s+(\\S+)");
    private static final Pattern PRINTED_ADMIN = Pattern.compile("admin\\s+(\\S+)\\s+password\\s+(\\S+)");

    private Path home;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void createHome() throws IOException {
        home = Files.createTempDirectory("wrenn-up-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process process : started) {
            process.destroyForcibly();
        }
        try (var paths = Files.walk(home)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void upPrintsAKeyThatWorksStopsCleanlyAndKeepsItsDataAcrossRestarts() throws Exception {
        int port = WrennProcesses.freePort();
        Layout layout = Layout.of(home, Layout.fromEnvironment().imagesDir());
        HomeFiles files = new HomeFiles(home);

        Process first = up(port, "first.log");
        String key = awaitPrintedKey(first, "first.log");
        assertThat(Files.readString(files.apiKeyFile()).strip()).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.apiKeyFile())))
                .isEqualTo("rw-------");

        // The bootstrap admin: printed once, saved 0600, a platform admin who can log in.
        Matcher admin = PRINTED_ADMIN.matcher(read(home.resolve("first.log")));
        assertThat(admin.find()).as(read(home.resolve("first.log"))).isTrue();
        String adminPassword = admin.group(2);
        assertThat(Files.readString(files.adminPasswordFile()).strip()).isEqualTo(adminPassword);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.adminPasswordFile())))
                .isEqualTo("rw-------");
        WrennClient anonymous = new WrennClient(URI.create("http://127.0.0.1:" + port), null);
        var login = anonymous.post("/v1/auth/login", Map.of("email", admin.group(1), "password", adminPassword));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.json().get("user").get("is_admin").asBoolean()).isTrue();
        assertThat(anonymous.withToken(login.json().get("token").asString()).get("/v1/admin/users").status()).isEqualTo(200);

        WrennClient api = new WrennClient(URI.create("http://127.0.0.1:" + port), key);
        String id = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        assertThat(api.exec(id, "echo", "hello").get("stdout").asString()).isEqualTo("hello\n");
        var host = WrennFixture.hostView(layout, id);
        assertThat(host.qemuAlive()).isTrue();

        stop(first);
        assertThat(host.qemuAlive()).as("QEMU after stop").isFalse();
        assertThat(host.namespaceExists()).as("namespace after stop").isFalse();
        assertThat(WrennProcesses.processesMentioning(home)).as("processes of this home after stop").isEmpty();

        Process second = up(port, "second.log");
        assertThat(awaitPrintedKey(second, "second.log")).as("later starts point to the key's file").isEqualTo("(in");
        assertThat(read(home.resolve("second.log"))).as("the password and the key are printed only at the first start")
                .doesNotContain(adminPassword).doesNotContain(key).contains(files.apiKeyFile().toString());
        assertThat(anonymous.post("/v1/auth/login", Map.of("email", admin.group(1), "password", adminPassword)).status())
                .isEqualTo(200);
        // The VM went away with the first Wrenn; the reconciler records that.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/v1/sandboxes/" + id).json().get("status").asString()).isEqualTo("stopped"));
        stop(second);
        assertThat(WrennProcesses.processesMentioning(home)).isEmpty();
    }

    private Process up(int port, String logName) throws IOException {
        Process process = WrennProcesses.wrenn(home, "up", "--port", Integer.toString(port))
                .redirectOutput(home.resolve(logName).toFile()).start();
        started.add(process);
        return process;
    }

    private String awaitPrintedKey(Process process, String logName) {
        Path log = home.resolve(logName);
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("wrenn up is running; its output:%n%s", read(log)).isTrue();
            Matcher matcher = PRINTED_KEY.matcher(read(log));
            return matcher.find() ? matcher.group(1) : null;
        }, key -> key != null);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("wrenn up stopped").isTrue();
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
