package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import tools.jackson.databind.JsonNode;

/** The filesystem API: list, stat, mkdir, move, remove and ranged downloads, with their errors. */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class FilesApiTest {
    private WrennFixture wrenn;
    private WrennClient api;
    private String sandbox;
    private String files;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        sandbox = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        files = "/v1/sandboxes/" + sandbox + "/files";
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void makeListStatMoveAndRemove() {
        WrennClient.Response made = api.post(files + "/mkdir", Map.of("path", "/home/user/project/src"));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        assertThat(made.json().path("type").asString()).isEqualTo("directory");
        assertThat(made.json().path("owner").asString()).isEqualTo("user");
        assertThat(api.post(files + "/mkdir", Map.of("path", "/home/user/project/src")).status()).isEqualTo(409);

        assertThat(api.put(files + "?path=/home/user/project/src/main.txt", "hello".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(200);
        JsonNode listed = api.get(files + "/list?path=/home/user/project&depth=2").json();
        assertThat(listed.path("entries").findValuesAsString("path"))
                .contains("/home/user/project/src", "/home/user/project/src/main.txt");

        JsonNode stat = api.get(files + "/stat?path=/home/user/project/src/main.txt").json();
        assertThat(stat.path("type").asString()).isEqualTo("file");
        assertThat(stat.path("size").asLong()).isEqualTo(5);
        assertThat(stat.path("mode").asString()).matches("0[0-7]{3}");
        assertThat(stat.path("modified_at").asString()).isNotEmpty();

        WrennClient.Response moved = api.post(files + "/move",
                Map.of("source", "/home/user/project/src/main.txt", "destination", "/home/user/project/renamed.txt"));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(api.get(files + "?path=/home/user/project/renamed.txt").text()).isEqualTo("hello");
        assertThat(api.get(files + "/stat?path=/home/user/project/src/main.txt").status()).isEqualTo(404);

        assertThat(api.delete(files + "?path=/home/user/project").status()).isEqualTo(204);
        assertThat(api.get(files + "/stat?path=/home/user/project").status()).isEqualTo(404);
        // Idempotent, as envd removes: nothing left to remove is still a success.
        assertThat(api.delete(files + "?path=/home/user/project").status()).isEqualTo(204);
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertThat(api.get(files + "/list?path=/nope").status()).isEqualTo(404);
        assertThat(api.get(files + "/list?path=/etc/passwd").status()).isEqualTo(409);
        assertThat(api.get(files + "/list?path=relative").status()).isEqualTo(400);
        assertThat(api.get(files + "/list?path=/etc&depth=0").status()).isEqualTo(400);
        assertThat(api.get(files + "/list?path=/etc&depth=x").status()).isEqualTo(400);
        assertThat(api.get(files + "/stat?path=/a/../etc").status()).isEqualTo(400);
        assertThat(api.delete(files + "?path=/").status()).isEqualTo(400);
        assertThat(api.post(files + "/mkdir", Map.of("path", "/etc/passwd")).status()).isEqualTo(409);
        assertThat(api.post(files + "/mkdir", Map.of("path", "/tmp/x", "extra", 1)).status()).isEqualTo(400);
        assertThat(api.post(files + "/move", Map.of("source", "/nope", "destination", "/tmp/nope")).status()).isEqualTo(404);
        String other = wrenn.createTeamWithKey("files-other");
        assertThat(api.withKey(other).get(files + "/list?path=/").status()).isEqualTo(404);
        assertThat(api.withKey(other).delete(files + "?path=/etc/hostname").status()).isEqualTo(404);
        assertThat(api.get(files + "/stat?path=/etc/hostname").status()).isEqualTo(200);
    }

    @Test
    void theSandboxUserReachesOnlyWhatItMayEvenThroughSymlinks() {
        // root's home is closed to the sandbox's user as the image ships it.
        assertThat(api.get(files + "/list?path=/root").status()).isEqualTo(403);
        assertThat(api.exec(sandbox, "ls", "/root").get("exit_code").asInt()).isNotZero();
        // A directory of root's that only root may enter.
        assertThat(api.exec(sandbox, Map.of("cmd", "sh", "user", "root", "args", List.of("-c",
                "mkdir -p /root/private && chmod 700 /root/private && echo s3cret > /root/private/secret.txt")))
                .get("exit_code").asInt()).isZero();
        assertThat(api.get(files + "?path=/root/private/secret.txt").status()).isEqualTo(403);
        assertThat(api.get(files + "/list?path=/root/private").status()).isEqualTo(403);
        assertThat(api.get(files + "/stat?path=/root/private/secret.txt").status()).isEqualTo(403);
        assertThat(api.put(files + "?path=/etc/evil.txt", "x".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(403);
        assertThat(api.post(files + "/mkdir", Map.of("path", "/root/private/dir")).status()).isEqualTo(403);
        assertThat(api.delete(files + "?path=/etc/hostname").status()).isEqualTo(403);

        // A link the user made into root's home does not lend it root's rights.
        assertThat(api.exec(sandbox, "ln", "-sf", "/root/private/secret.txt", "/home/user/link").get("exit_code").asInt()).isZero();
        assertThat(api.get(files + "?path=/home/user/link").status()).isEqualTo(403);
        assertThat(api.put(files + "?path=/home/user/link", "y".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(403);
        assertThat(api.get(files + "?path=/root/private/secret.txt&user=root").text()).isEqualTo("s3cret\n");
    }

    @Test
    void rangedDownloadsReturnExactlyTheBytesAsked() {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        assertThat(api.put(files + "?path=/tmp/ranged.bin", content).status()).isEqualTo(200);

        WrennClient.Response middle = ranged("bytes=1000-199999");
        assertThat(middle.status()).isEqualTo(206);
        assertThat(middle.headers().get("content-range")).containsExactly("bytes 1000-199999/300000");
        assertThat(middle.body()).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 200_000));

        assertThat(ranged("bytes=299990-").body()).isEqualTo(java.util.Arrays.copyOfRange(content, 299_990, 300_000));
        assertThat(ranged("bytes=-5").body()).isEqualTo(java.util.Arrays.copyOfRange(content, 299_995, 300_000));
        WrennClient.Response outside = ranged("bytes=300000-");
        assertThat(outside.status()).isEqualTo(416);
        assertThat(outside.headers().get("content-range")).containsExactly("bytes */300000");
        assertThat(ranged("bytes=1-2,5-6").status()).isEqualTo(400);
        assertThat(ranged("lines=1-2").status()).isEqualTo(400);
    }

    @Test
    void multipartUploadsLandInTheDirectoryUnderTheirOwnNames() {
        String boundary = "wrenn-test-boundary";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nalpha\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"../../etc/b.txt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nbeta\r\n"
                + "--" + boundary + "--\r\n";
        WrennClient.Response uploaded = api.send(api.request(files + "?path=/home/user/uploads")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(200);
        assertThat(uploaded.json().path("files").findValuesAsString("path"))
                .containsExactly("/home/user/uploads/a.txt", "/home/user/uploads/b.txt");
        assertThat(api.get(files + "?path=/home/user/uploads/a.txt").text()).isEqualTo("alpha");
        assertThat(api.get(files + "?path=/home/user/uploads/b.txt").text()).isEqualTo("beta");
        assertThat(api.get(files + "/stat?path=/etc/b.txt").status()).isEqualTo(404);
        assertThat(api.send(api.request(files + "?path=/home/user/uploads").header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x"))).status()).isEqualTo(400);
    }

    @Test
    void watchingADirectoryReportsChangesAsServerSentEvents() throws Exception {
        assertThat(api.post(files + "/mkdir", Map.of("path", "/tmp/watched")).status()).isEqualTo(201);
        var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.sendAsync(api.request(files + "/watch?path=/tmp/watched").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        var stream = response.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stream.statusCode()).isEqualTo(200);
        Thread reader = Thread.ofVirtual().start(() -> stream.body().forEach(lines::add));
        try {
            assertThat(nextLine(lines, "event:")).isEqualTo("event: start");
            assertThat(api.exec(sandbox, "touch", "/tmp/watched/new-file").get("exit_code").asInt()).isZero();
            String data = nextLine(lines, "data: {\"");
            assertThat(data).contains("new-file");
        } finally {
            reader.interrupt();
            http.shutdownNow();
        }
        assertThat(api.get(files + "/watch?path=/nope").status()).isEqualTo(404);
    }

    private static String nextLine(java.util.concurrent.BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, java.util.concurrent.TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starting with " + prefix);
    }

    private WrennClient.Response ranged(String range) {
        return api.send(api.request(files + "?path=/tmp/ranged.bin").header("Range", range).GET());
    }
}
