package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Template builds through the REST API with real VMs. One builder boots cold (the recipe with
 * every step kind, from {@code debian}); every later build starts FROM its result, a snapshot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class TemplateBuildTest {

    private static final Duration BUILD_WAIT = Duration.ofMinutes(8);

    private WrennFixture wrenn;
    private WrennClient api;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    @Order(1)
    void malformedRecipesAndArchivesAreRefusedAndNothingIsWritten() throws IOException {
        Path outside = Path.of("/tmp/wrenn-build-escape-" + ProcessHandle.current().pid());
        Response traversal = upload(tarGz(t -> file(t, "../../../../../.." + outside, "pwned", 0644)));
        assertThat(traversal.status()).as(traversal.toString()).isEqualTo(400);
        assertThat(traversal.json().get("code").asString()).isEqualTo("invalid_request");
        assertThat(traversal.json().get("message").asString()).contains("leaves the archive");
        Response symlink = upload(tarGz(t -> {
            link(t, "etc", "/etc", TarConstants.LF_SYMLINK);
        }));
        assertThat(symlink.status()).isEqualTo(400);
        assertThat(symlink.json().get("message").asString()).contains("archive entry 'etc' is a symbolic link to an absolute path");
        Response through = upload(tarGz(t -> {
            link(t, "up", "a/../..", TarConstants.LF_SYMLINK);
        }));
        assertThat(through.status()).isEqualTo(400);
        assertThat(through.json().get("message").asString()).contains("archive entry 'up'");
        // ~100 000 empty files gzip to a few hundred KB; the size limit is held by ArchiveNormalizerTest.
        Response bomb = upload(tarGz(t -> {
            for (int i = 0; i <= 100_000; i++) {
                file(t, "f" + i, "", 0644);
            }
        }));
        assertThat(bomb.status()).as(bomb.toString()).isEqualTo(400);
        assertThat(bomb.json().get("message").asString()).isEqualTo("the archive has more than 100000 entries");
        assertThat(Files.exists(outside)).isFalse();

        Response badLine = api.post("/v1/builds", Map.of("name", "broken", "recipe", "FROM debian\nRUN true\nFLY away"));
        assertThat(badLine.status()).isEqualTo(400);
        assertThat(badLine.json().get("message").asString()).isEqualTo(
                "recipe line 3: unknown instruction 'FLY' (FROM, RUN, ENV, COPY, USER, WORKDIR, START, READY)");
        Response noFrom = api.post("/v1/builds", Map.of("name", "broken", "recipe", "FROM no-such-template\nRUN true"));
        assertThat(noFrom.status()).isEqualTo(404);
        Response copyWithoutArchive = api.post("/v1/builds", Map.of("name", "broken", "recipe", "FROM debian\nCOPY a /a"));
        assertThat(copyWithoutArchive.status()).isEqualTo(400);
        assertThat(copyWithoutArchive.json().get("message").asString()).startsWith("recipe line 2: COPY needs an archive");
        Response platform = api.post("/v1/builds", Map.of("name", "mine", "recipe", "FROM debian", "platform", true));
        assertThat(platform.status()).isEqualTo(403);
        assertThat(api.get("/v1/builds").json().get("builds")).isEmpty();
    }

    @Test
    @Order(2)
    void aRecipeWithEveryStepKindMakesATemplateWhoseStartProcessAnswersAtOnce() throws IOException {
        String archive = upload(tarGz(t -> {
            dir(t, "site/");
            file(t, "site/index.html", "<h1>built by wrenn</h1>\n", 0640);
            file(t, "site/bin/hi", "#!/bin/sh\necho \"hi from $GREETING\"\n", 0755);
            link(t, "site/home.html", "index.html", TarConstants.LF_SYMLINK);
        })).json().get("archive").asString();
        String recipe = """
                FROM debian
                # everything below runs in the builder, as a shell would
                USER app
                ENV GREETING="hello $USER" APP=/srv/app PATH=$PATH:/srv/app/bin
                COPY site $APP
                RUN echo "$GREETING" > $APP/greeting && whoami > $APP/whoami && echo step-output-line
                WORKDIR /srv/app
                START python3 -m http.server 8000 --bind 127.0.0.1
                READY --interval=1s --timeout=5s --retries=60 python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/index.html')"
                """;
        JsonNode build = created(api.post("/v1/builds", Map.of("name", "site", "recipe", recipe, "archive", archive,
                "skip_pre_post", true)));
        assertThat(build.get("status").asString()).isIn("queued", "running");
        assertThat(build.get("total_steps").asInt()).isEqualTo(9); // 7 steps, the post clean-up, the snapshot

        // The live stream ends with the finished build; its lines carry their steps.
        HttpResponse<java.util.stream.Stream<String>> stream = streamLogs(build.get("id").asString());
        List<String> events = stream.body().toList();
        assertThat(events).anyMatch(line -> line.startsWith("data: ") && line.contains("step-output-line"));
        assertThat(events).contains("event: end");
        JsonNode done = waitFinished(build.get("id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("current_step").asInt()).isEqualTo(9);
        JsonNode logs = api.get("/v1/builds/" + build.get("id").asString() + "/logs").json();
        assertThat(logs.get("done").asBoolean()).isTrue();
        assertThat(logs.get("lines").valueStream()
                .filter(l -> l.get("line").asString().equals("step-output-line")).findFirst().orElseThrow()
                .get("step").asInt()).isEqualTo(4);

        String sandbox = api.createSandbox(Map.of("template", "site")).get("id").asString();
        try {
            // The START process was running when the snapshot was taken: it answers on the first try.
            assertThat(sh(sandbox, "python3 -c \"import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/index.html').read().decode())\""))
                    .isEqualTo("<h1>built by wrenn</h1>");
            assertThat(sh(sandbox, "whoami; pwd; echo \"$GREETING\"; cat /srv/app/greeting /srv/app/whoami"))
                    .isEqualTo("app\n/srv/app\nhello app\nhello app\napp");
            assertThat(sh(sandbox, "stat -c '%U %a' /srv/app/index.html /srv/app/bin/hi; readlink /srv/app/home.html; hi"))
                    .isEqualTo("app 640\napp 755\nindex.html\nhi from hello app");
            JsonNode sudoers = api.exec(sandbox, Map.of("cmd", "grep", "args", List.of("-c", "NOPASSWD", "/etc/sudoers.d/app"),
                    "user", "root"));
            assertThat(sudoers.get("stdout").asString()).isEqualTo("1\n");
            // A template in use by a running sandbox is not deleted from under it.
            assertThat(api.delete("/v1/snapshots/site").status()).isEqualTo(409);
        } finally {
            api.delete("/v1/sandboxes/" + sandbox);
        }
    }

    @Test
    @Order(3)
    void aFailedBuildKeepsItsLogAndReason() {
        JsonNode build = created(api.post("/v1/builds", Map.of("name", "fails", "recipe",
                "FROM site\nRUN echo before-the-failure && exit 3\nRUN echo never", "skip_pre_post", true)));
        JsonNode done = waitFinished(build.get("id").asString());
        assertThat(done.get("status").asString()).isEqualTo("failed");
        assertThat(done.get("reason").asString()).isEqualTo("step 1: exited with 3");
        assertThat(done.get("failed_step").asInt()).isEqualTo(1);
        String log = logText(build.get("id").asString());
        assertThat(log).contains("before-the-failure").doesNotContain("never\n");
        assertNoBuilderLeft(done);
    }

    @Test
    @Order(4)
    void cancelMidStepStopsTheBuilderWithinSeconds() {
        JsonNode build = created(api.post("/v1/builds", Map.of("name", "cancelled", "recipe",
                "FROM site\nRUN echo sleeping && sleep 600", "skip_pre_post", true)));
        String id = build.get("id").asString();
        await().atMost(BUILD_WAIT).until(() -> logText(id).contains("sleeping"));
        String builder = api.get("/v1/builds/" + id).json().get("builder_id").asString();
        WrennFixture.HostView host = wrenn.hostView(builder);
        long cancelledAt = System.nanoTime();
        Response cancel = api.post("/v1/builds/" + id + "/cancel", Map.of());
        assertThat(cancel.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/builds/" + id).json().get("status").asString().equals("cancelled"));
        await().atMost(Duration.ofSeconds(10).minusNanos(System.nanoTime() - cancelledAt))
                .until(() -> !host.qemuAlive() && !host.namespaceExists() && !Files.exists(host.overlay()));
        assertThat(api.get("/v1/sandboxes/" + builder).json().get("status").asString()).isEqualTo("stopped");
        assertThat(api.post("/v1/builds/" + id + "/cancel", Map.of()).status()).isEqualTo(409);
        assertThat(logText(id)).contains("sleeping").contains("cancelled");
    }

    @Test
    @Order(5)
    void anUnchangedPrefixStartsFromItsCachedLayer() {
        String recipe = "FROM site\nRUN echo one > /tmp/one\nRUN echo two > /tmp/two";
        JsonNode first = waitFinished(created(api.post("/v1/builds", Map.of("name", "layered-a", "recipe", recipe,
                "skip_pre_post", true))).get("id").asString());
        assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("succeeded");
        assertThat(first.get("cached_steps").asInt()).isZero();
        JsonNode second = waitFinished(created(api.post("/v1/builds", Map.of("name", "layered-b", "recipe",
                recipe + "\nRUN cat /tmp/one /tmp/two", "skip_pre_post", true))).get("id").asString());
        assertThat(second.get("status").asString()).as(second.toString()).isEqualTo("succeeded");
        assertThat(second.get("cached_steps").asInt()).isEqualTo(2);
        JsonNode uncached = waitFinished(created(api.post("/v1/builds", Map.of("name", "layered-c", "recipe", recipe,
                "skip_pre_post", true, "no_cache", true))).get("id").asString());
        assertThat(uncached.get("cached_steps").asInt()).isZero();
        // Cached layers are not the team's templates to see.
        assertThat(api.get("/v1/snapshots").json().get("snapshots").valueStream().map(s -> s.get("name").asString()))
                .noneMatch(name -> name.startsWith("cache-"));
    }

    @Test
    @Order(6)
    void aDebianPackageInstallsThroughTheEgress() {
        // tree is not in the debian image: the builder fetches it from the Debian mirror, with the
        // package lists its own first step fetched (a recipe need not run apt-get update itself).
        JsonNode done = waitFinished(created(api.post("/v1/builds", Map.of("name", "with-tree", "recipe",
                "FROM site\nUSER root\nRUN --timeout=10m apt-get install -y --no-install-recommends tree"))).get("id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        String sandbox = api.createSandbox(Map.of("template", "with-tree")).get("id").asString();
        try {
            assertThat(sh(sandbox, "mkdir -p /tmp/t/a && tree -i --noreport /tmp/t")).isEqualTo("/tmp/t\na");
        } finally {
            api.delete("/v1/sandboxes/" + sandbox);
        }
    }

    private void assertNoBuilderLeft(JsonNode build) {
        if (!build.get("builder_id").isNull()) {
            String builder = build.get("builder_id").asString();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    api.get("/v1/sandboxes/" + builder).json().get("status").asString().equals("stopped"));
        }
    }

    private JsonNode waitFinished(String id) {
        await().atMost(BUILD_WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            String status = api.get("/v1/builds/" + id).json().get("status").asString();
            return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
        });
        return api.get("/v1/builds/" + id).json();
    }

    private String logText(String id) {
        StringBuilder text = new StringBuilder();
        api.get("/v1/builds/" + id + "/logs?limit=5000").json().get("lines")
                .forEach(line -> text.append(line.get("line").asString()).append('\n'));
        return text.toString();
    }

    private HttpResponse<java.util.stream.Stream<String>> streamLogs(String id) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(
                    api.request("/v1/builds/" + id + "/logs/stream").timeout(BUILD_WAIT).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String sh(String sandbox, String script) {
        JsonNode result = api.exec(sandbox, "sh", "-c", script);
        assertThat(result.get("exit_code").asInt()).as(result.toString()).isZero();
        return result.get("stdout").asString().strip();
    }

    private static JsonNode created(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    private Response upload(byte[] archive) {
        return api.send("POST", "/v1/build-archives", "application/octet-stream", archive);
    }

    interface TarWriter {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tarGz(TarWriter writer) throws IOException {
        return gzip(tarStream(writer));
    }

    private static byte[] tarStream(TarWriter writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
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

    private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content, int mode) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setMode(0100000 | mode);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target, byte type) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
