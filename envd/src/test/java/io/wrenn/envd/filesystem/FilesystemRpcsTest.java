package io.wrenn.envd.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.Headers;
import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.init.SandboxDefaults;
import io.wrenn.envd.json.Json;
import io.wrenn.envd.json.JsonObject;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.UserDirectory;
import io.wrenn.envd.user.UserResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ListDir's order, Remove of a missing path and file metadata, as E2B's envd does them. Runs as
 * the test's own user, which envd serves directly.
 */
class FilesystemRpcsTest {

    @TempDir
    Path dir;

    private final UserDirectory users = UserDirectory.system();
    private final SandboxDefaults defaults = new SandboxDefaults();
    private final FilesystemRpcs rpcs = new FilesystemRpcs(new UserResolver(users, defaults),
            new FileAccess(users, 0));

    private static CallContext asRoot() {
        Headers headers = new Headers();
        headers.set("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("root:".getBytes(StandardCharsets.UTF_8)));
        return new CallContext(headers);
    }

    private static JsonObject request(String json) {
        return Json.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private List<String> listed(int depth) {
        var answer = (Map<String, Object>) rpcs.listDir(asRoot(), request("{\"path\":\"" + dir + "\",\"depth\":" + depth + "}"));
        return ((List<Map<String, Object>>) answer.get("entries")).stream()
                .map(e -> dir.relativize(Path.of((String) e.get("path"))).toString()).toList();
    }

    @Test
    void aListingIsDepthFirstInByteOrderOfNames() throws IOException {
        assumeTrue(isRoot(), "FileAccess acts as the user only when envd runs as root");
        for (String file : List.of("b.txt", "C.txt", "_x", "a/z.txt", "a/y.txt", "a/deeper/w.txt")) {
            Files.createDirectories(dir.resolve(file).getParent());
            Files.writeString(dir.resolve(file), file);
        }
        assertThat(listed(1)).containsExactly("C.txt", "_x", "a", "b.txt");
        assertThat(listed(2)).containsExactly("C.txt", "_x", "a", "a/deeper", "a/y.txt", "a/z.txt", "b.txt");
        assertThat(listed(3)).containsExactly("C.txt", "_x", "a", "a/deeper", "a/deeper/w.txt", "a/y.txt", "a/z.txt", "b.txt");
    }

    @Test
    void removingWhatIsNotThereSucceeds() throws IOException {
        assumeTrue(isRoot(), "FileAccess acts as the user only when envd runs as root");
        assertThat(rpcs.remove(asRoot(), request("{\"path\":\"" + dir.resolve("missing") + "\"}"))).isEqualTo(Map.of());
        Files.writeString(dir.resolve("present"), "x");
        rpcs.remove(asRoot(), request("{\"path\":\"" + dir.resolve("present") + "\"}"));
        assertThat(dir.resolve("present")).doesNotExist();
    }

    @Test
    void metadataIsKeptByRenameReplacedByAWriteAndShownInTheEntry() throws IOException {
        assumeTrue(isRoot(), "FileAccess acts as the user only when envd runs as root");
        Path file = dir.resolve("meta.txt");
        Files.writeString(file, "x");
        assumeTrue(keepsUserAttributes(file), "the temporary directory's filesystem keeps no user attributes");

        FileMetadata.replace(file, Map.of("owner", "ada", "purpose", "a test"));
        assertThat(FileMetadata.read(file)).isEqualTo(Map.of("owner", "ada", "purpose", "a test"));
        Path moved = dir.resolve("moved.txt");
        rpcs.move(asRoot(), request("{\"source\":\"" + file + "\",\"destination\":\"" + moved + "\"}"));
        @SuppressWarnings("unchecked")
        var stat = (Map<String, Map<String, Object>>) rpcs.stat(asRoot(), request("{\"path\":\"" + moved + "\"}"));
        assertThat(stat.get("entry").get("metadata")).isEqualTo(Map.of("owner", "ada", "purpose", "a test"));

        FileMetadata.replace(moved, Map.of("owner", "grace"));
        assertThat(FileMetadata.read(moved)).isEqualTo(Map.of("owner", "grace"));
        FileMetadata.replace(moved, Map.of());
        assertThat(FileMetadata.read(moved)).isEmpty();
        @SuppressWarnings("unchecked")
        var cleared = (Map<String, Map<String, Object>>) rpcs.stat(asRoot(), request("{\"path\":\"" + moved + "\"}"));
        assertThat(cleared.get("entry")).doesNotContainKey("metadata");
    }

    @Test
    void metadataHeadersAreValidatedAndLowerCased() {
        Headers headers = new Headers();
        headers.add("X-Metadata-Owner", "ada");
        headers.add("Content-Type", "text/plain");
        assertThat(FileMetadata.fromHeaders(headers)).isEqualTo(Map.of("owner", "ada"));
        Headers bad = new Headers();
        bad.add("X-Metadata-Owner", "tab\there");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileMetadata.fromHeaders(bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean keepsUserAttributes(Path file) {
        try {
            var view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            view.write("probe", java.nio.ByteBuffer.wrap(new byte[] {1}));
            view.delete("probe");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
