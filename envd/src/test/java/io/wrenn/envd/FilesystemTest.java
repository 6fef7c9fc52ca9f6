package io.wrenn.envd;

import io.wrenn.envd.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FilesystemTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final EnvdFixture fixture = new EnvdFixture();
    private final EnvdClient client = fixture.client;

    private JsonObject ok(String method, Map<String, Object> body, String... headers) {
        var reply = client.unary("filesystem.Filesystem/" + method, body, headers);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private void fails(String method, Map<String, Object> body, int status, String code) {
        var reply = client.unary("filesystem.Filesystem/" + method, body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json().string("code")).contains(code);
    }

    @Test
    void statDescribesAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

        JsonObject entry = ok("Stat", Map.of("path", file.toString())).object("entry").orElseThrow();

        assertThat(entry.string("name")).contains("a.txt");
        assertThat(entry.string("path")).contains(file.toString());
        assertThat(entry.string("type")).contains("FILE_TYPE_FILE");
        assertThat(entry.asMap().get("size")).isEqualTo("5"); // int64 travels as a string
        assertThat(entry.integer("mode")).contains(0640L);
        assertThat(entry.string("permissions")).contains("-rw-r-----");
        assertThat(entry.string("owner")).contains("root");
        assertThat(entry.string("group")).contains("root");
        assertThat(entry.string("modifiedTime")).get().asString().endsWith("Z");
    }

    @Test
    void statOfASymlinkNamesItsTarget() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        JsonObject entry = ok("Stat", Map.of("path", link.toString())).object("entry").orElseThrow();

        assertThat(entry.string("type")).contains("FILE_TYPE_SYMLINK");
        assertThat(entry.string("symlinkTarget")).contains(target.toString());
    }

    @Test
    void statOfAMissingPathIsNotFound() {
        fails("Stat", Map.of("path", dir.resolve("missing").toString()), 404, "not_found");
    }

    @Test
    void listDirHonoursDepth() throws Exception {
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.writeString(dir.resolve("top.txt"), "1");
        Files.writeString(dir.resolve("sub/inner.txt"), "2");
        Files.writeString(dir.resolve("sub/deeper/deep.txt"), "3");

        assertThat(paths(ok("ListDir", Map.of("path", dir.toString())))).containsExactlyInAnyOrder(
                dir.resolve("sub").toString(), dir.resolve("top.txt").toString());
        assertThat(paths(ok("ListDir", Map.of("path", dir.toString(), "depth", 2)))).containsExactlyInAnyOrder(
                dir.resolve("sub").toString(), dir.resolve("top.txt").toString(),
                dir.resolve("sub/deeper").toString(), dir.resolve("sub/inner.txt").toString());
    }

    @Test
    void listDirErrors() throws Exception {
        fails("ListDir", Map.of("path", dir.resolve("missing").toString()), 404, "not_found");
        Path file = Files.writeString(dir.resolve("file"), "");
        fails("ListDir", Map.of("path", file.toString()), 400, "invalid_argument");
    }

    @Test
    void makeDirCreatesParentsOwnedByTheUserAndRefusesExisting() throws Exception {
        Path nested = dir.resolve("x/y/z");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

        JsonObject entry = ok("MakeDir", Map.of("path", nested.toString()), "Authorization", EnvdClient.basicAuth("nobody"))
                .object("entry").orElseThrow();

        assertThat(entry.string("type")).contains("FILE_TYPE_DIRECTORY");
        assertThat(Files.isDirectory(nested)).isTrue();
        assertThat(Files.getAttribute(dir.resolve("x"), "unix:uid")).isEqualTo(65534);
        assertThat(Files.getAttribute(nested, "unix:uid")).isEqualTo(65534);
        fails("MakeDir", Map.of("path", nested.toString()), 409, "already_exists");
    }

    @Test
    void moveRenamesAndCreatesDestinationParents() throws Exception {
        Path source = Files.writeString(dir.resolve("from.txt"), "content");
        Path destination = dir.resolve("new/parent/to.txt");

        JsonObject entry = ok("Move", Map.of("source", source.toString(), "destination", destination.toString()))
                .object("entry").orElseThrow();

        assertThat(entry.string("path")).contains(destination.toString());
        assertThat(Files.readString(destination)).isEqualTo("content");
        assertThat(source).doesNotExist();
        fails("Move", Map.of("source", source.toString(), "destination", destination.toString()), 404, "not_found");
    }

    @Test
    void removeDeletesRecursively() throws Exception {
        Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(dir.resolve("tree/a/b/f"), "x");

        ok("Remove", Map.of("path", dir.resolve("tree").toString()));

        assertThat(dir.resolve("tree")).doesNotExist();
        // As envd: what is not there is removed already.
        ok("Remove", Map.of("path", dir.resolve("tree").toString()));
    }

    @Test
    void relativePathsAreRelativeToTheUsersHome() {
        JsonObject entry = ok("Stat", Map.of("path", "")).object("entry").orElseThrow();
        assertThat(entry.string("path")).contains("/root");
        assertThat(ok("Stat", Map.of("path", "~")).object("entry").orElseThrow().string("path")).contains("/root");
    }

    @Test
    void watchDirStreamsChangesRecursively() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        try (var stream = client.stream("filesystem.Filesystem/WatchDir",
                Map.of("path", dir.toString(), "recursive", true, "includeEntry", true), "Keepalive-Ping-Interval", "1")) {
            assertThat(stream.next().orElseThrow().has("start")).isTrue();

            Files.writeString(dir.resolve("sub/new.txt"), "x");
            JsonObject created = nextChange(stream);
            assertThat(created.string("name")).contains("sub/new.txt");
            assertThat(created.string("type")).contains("EVENT_TYPE_CREATE");
            assertThat(created.object("entry").orElseThrow().string("path")).contains(dir.resolve("sub/new.txt").toString());

            Files.delete(dir.resolve("sub/new.txt"));
            JsonObject removed = nextChangeOfType(stream, "EVENT_TYPE_REMOVE");
            assertThat(removed.string("name")).contains("sub/new.txt");
        }
    }

    @Test
    void watchDirOfAMissingDirectoryIsNotFound() throws Exception {
        try (var stream = client.stream("filesystem.Filesystem/WatchDir", Map.of("path", dir.resolve("missing").toString()))) {
            assertThat(stream.rest()).isEmpty();
            assertThat(stream.error().orElseThrow().string("code")).contains("not_found");
        }
    }

    @Test
    void polledWatcherCollectsEvents() throws Exception {
        String id = ok("CreateWatcher", Map.of("path", dir.toString())).string("watcherId").orElseThrow();

        Files.writeString(dir.resolve("polled.txt"), "x");

        var seen = new java.util.ArrayList<Object>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            seen.addAll((List<?>) ok("GetWatcherEvents", Map.of("watcherId", id)).asMap().get("events"));
            return seen.stream().anyMatch(e -> "polled.txt".equals(((Map<?, ?>) e).get("name")));
        });
        ok("RemoveWatcher", Map.of("watcherId", id));
        fails("GetWatcherEvents", Map.of("watcherId", id), 404, "not_found");
    }

    private static JsonObject nextChange(EnvdClient.Stream stream) {
        while (true) {
            JsonObject message = stream.next().orElseThrow();
            if (message.has("filesystem")) {
                return message.object("filesystem").orElseThrow();
            }
        }
    }

    private static JsonObject nextChangeOfType(EnvdClient.Stream stream, String type) {
        while (true) {
            JsonObject change = nextChange(stream);
            if (change.string("type").filter(type::equals).isPresent()) {
                return change;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> paths(JsonObject listDir) {
        return ((List<Map<String, Object>>) listDir.asMap().get("entries")).stream()
                .map(e -> (String) e.get("path")).toList();
    }
}
