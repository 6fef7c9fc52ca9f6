package io.wrenn.envd.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.wrenn.envd.init.SandboxDefaults;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.UserDirectory;
import io.wrenn.envd.user.UserResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /files} with gzip both ways and file metadata headers, over real HTTP. */
class FilesHandlerTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        UserDirectory users = UserDirectory.system();
        SandboxDefaults defaults = new SandboxDefaults();
        FilesHandler files = new FilesHandler(new UserResolver(users, defaults), new FileAccess(users, 0), defaults);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/files", exchange -> {
            try (exchange) {
                if (exchange.getRequestMethod().equals("GET")) {
                    files.download(exchange);
                } else {
                    files.upload(exchange);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI uri(Path path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files?username=root&path="
                + URLEncoder.encode(path.toString(), StandardCharsets.UTF_8));
    }

    @Test
    void gzipUploadAndDownload() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "envd acts as other users only as root");
        Path file = dir.resolve("zipped.txt");
        String text = "compressible ".repeat(1000);
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(packed)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> up = client.send(HttpRequest.newBuilder(uri(file))
                .header("Content-Type", "application/octet-stream").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(packed.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(Files.readString(file)).isEqualTo(text);

        HttpResponse<byte[]> zipped = client.send(HttpRequest.newBuilder(uri(file)).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zipped.statusCode()).isEqualTo(200);
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(zipped.body().length).isLessThan(text.length() / 10);
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        }

        HttpResponse<String> plain = client.send(HttpRequest.newBuilder(uri(file)).header("Accept-Encoding", "gzip;q=0").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.body()).isEqualTo(text);
        HttpResponse<String> range = client.send(HttpRequest.newBuilder(uri(file)).header("Accept-Encoding", "gzip")
                .header("Range", "bytes=0-11").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo("compressible");
    }

    @Test
    void metadataHeadersAreStoredAndAnswered() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "envd acts as other users only as root");
        Path file = dir.resolve("meta.txt");
        HttpResponse<String> up = client.send(HttpRequest.newBuilder(uri(file))
                .header("Content-Type", "application/octet-stream").header("X-Metadata-Owner", "ada")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assumeTrue(up.statusCode() == 200 || !up.body().contains("extended attributes"), "no user attributes here");
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(up.body()).contains("\"metadata\":{\"owner\":\"ada\"}");

        HttpResponse<String> overwritten = client.send(HttpRequest.newBuilder(uri(file))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("y")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overwritten.body()).doesNotContain("metadata");

        HttpResponse<String> bad = client.send(HttpRequest.newBuilder(uri(dir.resolve("other.txt")))
                .header("Content-Type", "application/octet-stream").header("X-Metadata-Owner", "x".repeat(5000))
                .POST(HttpRequest.BodyPublishers.ofString("z")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(dir.resolve("other.txt")).doesNotExist();
    }
}
