package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import tools.jackson.databind.JsonNode;

/**
 * The spine end to end: REST API → control plane → host agent → QEMU microVM → envd, and back.
 * VMs boot under TCG here, so one `minimal` sandbox serves every exec and file assertion.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class SandboxSpineTest {
    private WrennFixture wrenn;
    private WrennClient api;
    private String sandbox;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        sandbox = api.createSandbox(Map.of("template", "minimal", "env", Map.of("GREETING", "from-create")))
                .get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void createdSandboxIsDescribedAndListed() {
        JsonNode body = api.get("/v1/sandboxes/" + sandbox).json();
        assertThat(body.get("id").asString()).startsWith("sb-");
        assertThat(body.get("status").asString()).isEqualTo("running");
        assertThat(body.get("template").asString()).isEqualTo("minimal");
        assertThat(body.get("vcpus").asInt()).isPositive();
        assertThat(body.get("memory_mb").asInt()).isPositive();
        assertThat(body.get("disk_size_mb").asInt()).isEqualTo(5120);
        assertThat(body.has("timeout_s")).isTrue();
        assertThat(body.get("created_at").asString()).isNotBlank();

        JsonNode list = api.get("/v1/sandboxes").json();
        assertThat(list.findValuesAsString("id")).contains(sandbox);
    }

    @Test
    void execEchoes() {
        JsonNode result = api.exec(sandbox, "echo", "hello");
        assertThat(result.get("stdout").asString()).isEqualTo("hello\n");
        assertThat(result.get("stderr").asString()).isEmpty();
        assertThat(result.get("exit_code").asInt()).isZero();
        assertThat(result.get("truncated").asBoolean()).isFalse();
        assertThat(result.get("duration_ms").asLong()).isNotNegative();
    }

    @Test
    void execReportsExitCodeAndStderr() {
        JsonNode result = api.exec(sandbox, "sh", "-c", "echo oops >&2; exit 3");
        assertThat(result.get("exit_code").asInt()).isEqualTo(3);
        assertThat(result.get("stderr").asString()).isEqualTo("oops\n");
    }

    @Test
    void execHonoursEnvCwdAndSandboxEnv() {
        JsonNode result = api.exec(sandbox, Map.of(
                "cmd", "sh",
                "args", List.of("-c", "echo $WHO:$GREETING:$(pwd)"),
                "env", Map.of("WHO", "tester"),
                "cwd", "/tmp"));
        assertThat(result.get("stdout").asString()).isEqualTo("tester:from-create:/tmp\n");
    }

    @Test
    void execRunsAsTheRequestedUser() {
        assertThat(api.exec(sandbox, Map.of("cmd", "id", "args", List.of("-un"), "user", "root"))
                .get("stdout").asString()).isEqualTo("root\n");
        assertThat(api.exec(sandbox, Map.of("cmd", "id", "args", List.of("-un")))
                .get("stdout").asString()).isEqualTo("user\n");
    }

    @Test
    void nonUtf8OutputComesBackAsBase64() {
        JsonNode result = api.exec(sandbox, "printf", "\\377\\376");
        assertThat(result.get("encoding").asString()).isEqualTo("base64");
        assertThat(java.util.Base64.getDecoder().decode(result.get("stdout").asString()))
                .containsExactly(0xff, 0xfe);
    }

    @Test
    void binaryFileRoundTripsByteForByte() {
        byte[] content = new byte[5 * 1024 * 1024];
        new SecureRandom().nextBytes(content);
        Response put = api.put("/v1/sandboxes/" + sandbox + "/files?path=/home/user/blob.bin", content);
        assertThat(put.status()).as(put.toString()).isBetween(200, 204);

        Response get = api.get("/v1/sandboxes/" + sandbox + "/files?path=/home/user/blob.bin");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);

        JsonNode size = api.exec(sandbox, "stat", "-c", "%s %U", "/home/user/blob.bin");
        assertThat(size.get("stdout").asString()).isEqualTo(content.length + " user\n");
    }

    @Test
    void missingFileIs404AndRelativePathIs400() {
        Response missing = api.get("/v1/sandboxes/" + sandbox + "/files?path=/nope/nothing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("code").asString()).isNotBlank();

        Response relative = api.put("/v1/sandboxes/" + sandbox + "/files?path=relative/file", new byte[] {1});
        assertThat(relative.status()).isEqualTo(400);
        assertThat(relative.json().get("message").asString()).isNotBlank();
        assertThat(api.exec(sandbox, "ls", "/home/user/relative").get("exit_code").asInt()).isNotZero();
    }

    @Test
    void guestSeesTheDiskSizeItAskedFor() {
        // The root filesystem grows online to the overlay's virtual size at boot.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode df = api.exec(sandbox, "df", "-m", "/");
            String[] row = df.get("stdout").asString().strip().split("\n")[1].trim().split("\\s+");
            assertThat(Long.parseLong(row[1])).isGreaterThan(4500);
        });
    }

    @Test
    void anotherTeamCannotSeeOrTouchTheSandbox() {
        WrennClient other = api.withKey(wrenn.createTeamWithKey("other-team"));
        assertThat(other.get("/v1/sandboxes/" + sandbox).status()).isEqualTo(404);
        assertThat(other.post("/v1/sandboxes/" + sandbox + "/exec", Map.of("cmd", "true")).status()).isEqualTo(404);
        assertThat(other.get("/v1/sandboxes/" + sandbox + "/files?path=/etc/hostname").status()).isEqualTo(404);
        assertThat(other.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(404);
        assertThat(other.get("/v1/sandboxes").json().findValuesAsString("id")).doesNotContain(sandbox);
        assertThat(api.get("/v1/sandboxes/" + sandbox).json().get("status").asString()).isEqualTo("running");
    }

    @Test
    void guestCannotReachTheControlPlaneOrTheHost() throws Exception {
        // The fixture's control plane listens on every interface, so only the sandbox's
        // firewall stands between the guest and it; a plain listener counts what gets through.
        try (var listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("0.0.0.0"))) {
            var accepted = new java.util.concurrent.atomic.AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try (var ignored = listener.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            for (String target : wrenn.hostAddressesSeenFrom(sandbox)) {
                // `timeout` rather than wget's own -T: Debian 12's static busybox wget crashes on -T.
                JsonNode api = this.api.exec(sandbox, Map.of("cmd", "timeout", "args", List.of("5", "wget", "-q", "-O-",
                        "http://" + target + ":" + wrenn.apiPort() + "/health"), "timeout_s", 15));
                assertThat(api.get("exit_code").asInt()).as("control plane via %s", target).isNotZero();
                this.api.exec(sandbox, Map.of("cmd", "nc", "args",
                        List.of("-w", "2", target, String.valueOf(listener.getLocalPort())), "timeout_s", 15));
            }
            assertThat(accepted.get()).as("connections from the guest that reached the host").isZero();
        }
        // The probe itself works: the guest reaches its own agent over loopback.
        JsonNode self = api.exec(sandbox, "timeout", "5", "wget", "-q", "-O-", "http://127.0.0.1:49983/health");
        assertThat(self.get("exit_code").asInt()).isZero();
    }

    @Test
    void debianTemplateRunsPythonAndIsDestroyedCleanly() throws Exception {
        JsonNode debian = api.createSandbox(Map.of("template", "debian"));
        String id = debian.get("id").asString();
        var host = wrenn.hostView(id);
        assertThat(host.qemuAlive()).isTrue();
        assertThat(host.namespaceExists()).isTrue();
        assertThat(Files.exists(host.overlay())).isTrue();

        JsonNode python = api.exec(id, "python3", "-c", "import sys; print(sys.version_info[0] * 7)");
        assertThat(python.get("stdout").asString()).isEqualTo("21\n");

        // A guest cannot reach another sandbox either.
        JsonNode probe = api.exec(id, Map.of("cmd", "bash", "args", List.of("-c",
                "exec 3<>/dev/tcp/" + wrenn.guestAddressFromHost(sandbox) + "/49983"), "timeout_s", 10));
        assertThat(probe.get("exit_code").asInt()).isNotZero();

        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(host.qemuAlive()).isFalse();
        assertThat(host.namespaceExists()).isFalse();
        assertThat(Files.exists(host.overlay())).isFalse();
        assertThat(api.get("/v1/sandboxes/" + id).json().get("status").asString()).isEqualTo("stopped");
        assertThat(api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", "true")).status()).isEqualTo(409);
    }

    @Test
    void expiredSandboxIsReaped() {
        String id = api.createSandbox(Map.of("template", "minimal", "timeout_s", 5)).get("id").asString();
        var host = wrenn.hostView(id);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(api.get("/v1/sandboxes/" + id).json().get("status").asString()).isEqualTo("stopped"));
        assertThat(host.qemuAlive()).isFalse();
        assertThat(host.namespaceExists()).isFalse();
    }

    @Test
    void killedVmIsMarkedStoppedByTheReconciler() throws Exception {
        String id = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        var host = wrenn.hostView(id);
        host.killQemu();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/v1/sandboxes/" + id).json().get("status").asString()).isEqualTo("stopped"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !host.namespaceExists());
    }
}
