package io.wrenn.envd;

import io.wrenn.envd.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FilesTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final EnvdFixture fixture = new EnvdFixture();
    private final EnvdClient client = fixture.client;

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static String q(Path path) {
        return URLEncoder.encode(path.toString(), StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> download(String query, String... headers) throws Exception {
        return client.http.send(client.request("/files?" + query, headers).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void rawUploadThenDownloadIsByteForByte() throws Exception {
        byte[] content = randomBytes(3 * 1024 * 1024 + 17);
        Path target = dir.resolve("new/dirs/blob.bin");

        var reply = client.send(client.request("/files?path=" + q(target))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(Json.parse(reply.body())).isEqualTo(List.of(Map.of("path", target.toString(), "name", "blob.bin", "type", "file")));
        assertThat(Files.readAllBytes(target)).isEqualTo(content);

        var got = download("path=" + q(target));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(content);
        assertThat(got.headers().firstValue("Accept-Ranges")).contains("bytes");
    }

    @Test
    void multipartUploadStreamsEachFilePart() throws Exception {
        byte[] first = randomBytes(2 * 1024 * 1024 + 3);
        byte[] second = "small\r\n--not-a-boundary\r\n".getBytes(StandardCharsets.UTF_8);
        String boundary = "----wrenn" + System.nanoTime();
        var body = new ByteArrayOutputStream();
        body.writeBytes(("preamble\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n").getBytes());
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + dir.resolve("one.bin")
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes());
        body.writeBytes(first);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + dir.resolve("sub/two.txt")
                + "\"\r\n\r\n").getBytes());
        body.writeBytes(second);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes());

        var reply = client.send(client.request("/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(Files.readAllBytes(dir.resolve("one.bin"))).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve("sub/two.txt"))).isEqualTo(second);
        assertThat(download("path=" + q(dir.resolve("one.bin"))).body()).isEqualTo(first);
    }

    @Test
    void aBoundaryTooLongIsA400NotA500() throws Exception {
        // MultipartStream refuses it with an IllegalArgumentException, which escaped the handler as a 500.
        String boundary = "b".repeat(201);
        var reply = client.send(client.request("/files?path=" + q(dir.resolve("x")))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n")).build());

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    }

    @Test
    void multipartWithPathParameterWritesThere() throws Exception {
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ignored.txt\"\r\n\r\nhi\r\n--" + boundary + "--\r\n";
        Path target = dir.resolve("chosen.txt");

        var reply = client.send(client.request("/files?path=" + q(target))
                .header("Content-Type", "multipart/form-data; boundary=\"" + boundary + "\"")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(Files.readString(target)).isEqualTo("hi");
    }

    @Test
    void uploadedFilesAndCreatedDirectoriesBelongToTheUser() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path target = dir.resolve("owned/file.txt");

        var reply = client.send(client.request("/files?username=nobody&path=" + q(target))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("mine")).build());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(Files.getAttribute(target, "unix:uid")).isEqualTo(65534);
        assertThat(Files.getAttribute(target.getParent(), "unix:uid")).isEqualTo(65534);
    }

    @Test
    void rangeRequestsGetPartialContent() throws Exception {
        byte[] content = randomBytes(10_000);
        Path file = Files.write(dir.resolve("ranged"), content);

        var middle = download("path=" + q(file), "Range", "bytes=100-199");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).contains("bytes 100-199/10000");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));

        var tail = download("path=" + q(file), "Range", "bytes=-10");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(content, 9990, 10000));

        var open = download("path=" + q(file), "Range", "bytes=9000-");
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(content, 9000, 10000));

        var beyond = download("path=" + q(file), "Range", "bytes=20000-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */10000");
    }

    @Test
    void downloadErrors() throws Exception {
        var missing = download("path=" + q(dir.resolve("nope")));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.parse(new String(missing.body(), StandardCharsets.UTF_8))).asString().contains("404");

        assertThat(download("path=" + q(dir)).statusCode()).isEqualTo(400);
        assertThat(download("username=no-such-user&path=" + q(dir)).statusCode()).isEqualTo(401);
    }

    @Test
    void emptyFilesRoundTrip() throws Exception {
        Path target = dir.resolve("empty");
        var reply = client.send(client.request("/files?path=" + q(target))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(reply.status()).isEqualTo(200);
        var got = download("path=" + q(target));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEmpty();
    }

    @Test
    void withATokenFilesNeedTheTokenOrAValidSignature() throws Exception {
        Path file = Files.writeString(dir.resolve("secret.txt"), "s");
        var init = client.send(client.request("/init").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"accessToken\":\"tok\"}")).build());
        assertThat(init.status()).isEqualTo(204);

        assertThat(download("path=" + q(file)).statusCode()).isEqualTo(401);
        assertThat(download("path=" + q(file), "X-Access-Token", "tok").statusCode()).isEqualTo(200);

        long expires = java.time.Instant.now().getEpochSecond() + 60;
        String text = file + ":read::tok:" + expires;
        String signature = "v1_" + java.util.Base64.getEncoder().withoutPadding().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        String signed = "path=" + q(file) + "&signature=" + URLEncoder.encode(signature, StandardCharsets.UTF_8)
                + "&signature_expiration=" + expires;
        assertThat(download(signed).statusCode()).isEqualTo(200);
        assertThat(download(signed.replace("signature_expiration=" + expires, "signature_expiration=" + (expires + 1))).statusCode())
                .isEqualTo(401);

        var upload = client.send(client.request("/files?" + signed)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(upload.status()).as("a read signature does not allow writing").isEqualTo(401);
    }

    @Test
    void uploadOntoADirectoryIsABadRequest() {
        var reply = client.send(client.request("/files?path=" + q(dir))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(reply.status()).isEqualTo(400);
    }
}
