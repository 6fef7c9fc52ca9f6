package io.wrenn.envd;

import io.wrenn.envd.json.JsonObject;
import io.wrenn.envd.user.User;
import io.wrenn.envd.user.UserDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * envd acts on files with exactly the rights of the requesting user: the kernel judges every
 * access. Runs as root on the host, with an unprivileged user of the test's own (an unused uid,
 * member of the group daemon, in passwd and group files that only this test's envd reads, so the
 * host's user database is never touched; the kernel needs no entry to judge a uid) and the
 * system's {@code nobody}.
 */
@Tag("root")
class UserPermissionsTest {
    @TempDir
    static Path dir;
    private static EnvdFixture fixture;
    private static EnvdClient client;
    private static User tester;
    private static User nobody;
    private static Path home;
    /** Like /root: a 0700 directory of root's, holding a file. */
    private static Path vault;

    @BeforeAll
    static void createUserAndEnvd() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = dir.resolve("home");
        UserDirectory users = usersWithTester(home);
        tester = users.byName(TESTER).orElseThrow();
        nobody = users.byName("nobody").orElseThrow();
        Files.createDirectory(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        chown(home, tester);
        vault = Files.createDirectory(dir.resolve("vault"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(vault.resolve("secret.txt"), "root's secret");
        fixture = new EnvdFixture(users);
        client = fixture.client;
    }

    private static final String TESTER = "wrenn-tester";

    /**
     * The host's passwd and group with {@link #TESTER} added (a uid and gid no file of the host's
     * database names, in the group daemon), written to this test's directory.
     */
    private static UserDirectory usersWithTester(Path home) throws IOException {
        UserDirectory system = UserDirectory.system();
        int id = 61_000;
        while (system.byUid(id).isPresent() || !system.groupName(id).equals(Integer.toString(id))) {
            id++;
        }
        List<String> passwd = new ArrayList<>(Files.readAllLines(Path.of("/etc/passwd")));
        passwd.add(TESTER + ":x:" + id + ":" + id + "::" + home + ":/usr/sbin/nologin");
        List<String> group = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            if (line.startsWith("daemon:")) {
                line = line + (line.endsWith(":") ? "" : ",") + TESTER;
            }
            group.add(line);
        }
        group.add(TESTER + ":x:" + id + ":");
        Path users = Files.createDirectory(dir.resolve("users"));
        return new UserDirectory(Files.write(users.resolve("passwd"), passwd), Files.write(users.resolve("group"), group));
    }

    @AfterAll
    static void removeUserAndEnvd() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static void chown(Path path, User user) throws IOException {
        Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    }

    private static String q(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> download(User user, String path) throws Exception {
        return client.http.send(client.request("/files?username=" + user.name() + "&path=" + q(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static EnvdClient.Reply upload(User user, String path, String content) {
        return client.send(client.request("/files?username=" + user.name() + "&path=" + q(path))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString(content)).build());
    }

    private static EnvdClient.Reply rpc(User user, String method, Map<String, Object> body) {
        return client.unary("filesystem.Filesystem/" + method, body, "Authorization", EnvdClient.basicAuth(user.name()));
    }

    private static JsonObject ok(User user, String method, Map<String, Object> body) {
        var reply = rpc(user, method, body);
        assertThat(reply.status()).as(method + " " + body + ": " + reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static void denied(User user, String method, Map<String, Object> body) {
        var reply = rpc(user, method, body);
        assertThat(reply.status()).as(method + " " + body + ": " + reply.body()).isEqualTo(403);
        assertThat(reply.json().string("code")).contains("permission_denied");
    }

    private static void deniedDownload(User user, String path) throws Exception {
        var reply = download(user, path);
        assertThat(reply.statusCode()).as("GET " + path + ": " + reply.body()).isEqualTo(403);
        assertThat(reply.body()).contains("\"code\":403").doesNotContain("root's secret");
    }

    private static void deniedUpload(User user, String path, Path resolved) throws IOException {
        try {
            var reply = upload(user, path, "written by " + user.name());
            assertThat(reply.status()).as("POST " + path + ": " + reply.body()).isEqualTo(403);
            assertThat(reply.json().asMap()).containsEntry("code", 403L);
            assertThat(resolved).doesNotExist();
        } finally {
            Files.deleteIfExists(resolved);
        }
    }

    private static void deniedWatch(User user, String path) throws IOException {
        try (var stream = client.stream("filesystem.Filesystem/WatchDir", Map.of("path", path),
                "Authorization", EnvdClient.basicAuth(user.name()))) {
            assertThat(stream.rest()).isEmpty();
            assertThat(stream.error().orElseThrow().string("code")).contains("permission_denied");
        }
        denied(user, "CreateWatcher", Map.of("path", path));
    }

    private static int owner(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int group(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aUserCannotReadListStatOrWatchRootsPrivateDirectories() throws Exception {
        deniedDownload(tester, "/root/.bashrc");
        deniedDownload(tester, vault.resolve("secret.txt").toString());
        denied(tester, "Stat", Map.of("path", "/root/.bashrc"));
        denied(tester, "Stat", Map.of("path", vault.resolve("secret.txt").toString()));
        denied(tester, "ListDir", Map.of("path", "/root"));
        denied(tester, "ListDir", Map.of("path", vault.toString()));
        deniedWatch(tester, "/root");
        deniedWatch(tester, vault.toString());
    }

    @Test
    void aUserCannotReadAnotherUsersPrivateFile() throws Exception {
        Path file = Files.writeString(dir.resolve("nobodys.txt"), "nobody's diary");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        chown(file, nobody);

        deniedDownload(tester, file.toString());
        var own = download(nobody, file.toString());
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).isEqualTo("nobody's diary");
    }

    @Test
    void aUsersWriteClearsASetuidBitAsTheKernelDoesForTheUser() throws Exception {
        Path file = Files.writeString(dir.resolve("setuid-root"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxrwxrwx"));
        run("chmod", "u+s", file.toString());

        assertThat(upload(tester, file.toString(), "planted").status()).isEqualTo(200);

        int mode = (Integer) Files.getAttribute(file, "unix:mode");
        assertThat(mode & 04000).as("setuid bit after the user's write").isZero();
    }

    @Test
    void supplementaryGroupsCount() throws Exception {
        Path file = Files.writeString(dir.resolve("daemon-group.txt"), "for the daemon group");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Files.setAttribute(file, "unix:gid", 1); // group daemon, which the tester is a member of

        assertThat(download(tester, file.toString()).body()).isEqualTo("for the daemon group");
        deniedDownload(nobody, file.toString());
    }

    @Test
    void aUserCannotWriteIntoRootOrEtc() throws Exception {
        String name = "wrenn-" + UUID.randomUUID();
        deniedUpload(tester, "/root/" + name, Path.of("/root", name));
        deniedUpload(tester, "/etc/" + name, Path.of("/etc", name));
        deniedUpload(tester, "/etc/" + name + "/inside", Path.of("/etc", name));
        try {
            denied(tester, "MakeDir", Map.of("path", "/etc/" + name));
            assertThat(Path.of("/etc", name)).doesNotExist();
        } finally {
            Files.deleteIfExists(Path.of("/etc", name));
        }
    }

    @Test
    void dotDotCannotEscapeTheHome() throws Exception {
        String up = "../".repeat(home.getNameCount());
        deniedDownload(tester, "~/" + up + "root/.bashrc");
        deniedDownload(tester, up + vault.toString().substring(1) + "/secret.txt");
        String name = "wrenn-" + UUID.randomUUID();
        deniedUpload(tester, up + "etc/" + name, Path.of("/etc", name));
        denied(tester, "ListDir", Map.of("path", "~/" + up + "root"));
    }

    @Test
    void aSymlinkTheUserMadeDoesNotReachIntoRootsDirectories() throws Exception {
        Path intoVault = Files.createSymbolicLink(home.resolve("vault-link"), vault);
        Path intoRoot = Files.createSymbolicLink(home.resolve("root-link"), Path.of("/root"));
        chown(intoVault, tester);
        chown(intoRoot, tester);
        try {
            deniedDownload(tester, "~/vault-link/secret.txt");
            deniedDownload(tester, "~/root-link/.bashrc");
            deniedUpload(tester, "~/vault-link/planted.txt", vault.resolve("planted.txt"));
            deniedUpload(tester, "~/root-link/planted.txt", Path.of("/root/planted.txt"));
            denied(tester, "Stat", Map.of("path", "~/vault-link/secret.txt"));
            denied(tester, "ListDir", Map.of("path", "~/vault-link"));
            denied(tester, "MakeDir", Map.of("path", "~/vault-link/sub"));
            denied(tester, "Move", Map.of("source", "~/vault-link/secret.txt", "destination", "~/stolen.txt"));
            denied(tester, "Remove", Map.of("path", "~/vault-link/secret.txt"));
            deniedWatch(tester, "~/vault-link");
            assertThat(Files.readString(vault.resolve("secret.txt"))).isEqualTo("root's secret");
            assertThat(vault.resolve("sub")).doesNotExist();
            assertThat(home.resolve("stolen.txt")).doesNotExist();
        } finally {
            Files.delete(intoVault);
            Files.delete(intoRoot);
        }
    }

    @Test
    void withoutRightsOnADirectoryEveryChangeIsDenied() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Path file = Files.writeString(readOnly.resolve("file.txt"), "root's");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setPosixFilePermissions(sticky, PosixFilePermissions.fromString("rwxrwxrwx"));
        run("chmod", "+t", sticky.toString());
        Path othersFile = Files.writeString(sticky.resolve("nobodys.txt"), "nobody's");
        chown(othersFile, nobody);
        Files.setPosixFilePermissions(othersFile, PosixFilePermissions.fromString("rw-rw-rw-"));

        denied(tester, "Remove", Map.of("path", file.toString()));
        denied(tester, "Move", Map.of("source", file.toString(), "destination", "~/taken.txt"));
        denied(tester, "MakeDir", Map.of("path", readOnly.resolve("sub").toString()));
        deniedUpload(tester, readOnly.resolve("new.txt").toString(), readOnly.resolve("new.txt"));
        var overwrite = upload(tester, file.toString(), "overwritten");
        assertThat(overwrite.status()).as(overwrite.body()).isEqualTo(403);
        // The sticky bit: anyone may write the file, but only its owner may delete or rename it (EPERM).
        denied(tester, "Remove", Map.of("path", othersFile.toString()));
        denied(tester, "Move", Map.of("source", othersFile.toString(), "destination", sticky.resolve("renamed.txt").toString()));

        assertThat(Files.readString(file)).isEqualTo("root's");
        assertThat(readOnly.resolve("sub")).doesNotExist();
        assertThat(othersFile).exists();
        assertThat(home.resolve("taken.txt")).doesNotExist();
        assertThat(upload(tester, othersFile.toString(), "shared").status()).isEqualTo(200);
        assertThat(owner(othersFile)).as("writing a file does not change its owner").isEqualTo(nobody.uid());
    }

    @Test
    void inItsHomeAUserCanDoEverythingAndOwnsWhatItCreates() throws Exception {
        var written = upload(tester, "docs/notes.txt", "my notes");
        assertThat(written.status()).as(written.body()).isEqualTo(200);
        Path notes = home.resolve("docs/notes.txt");
        assertThat(owner(notes)).isEqualTo(tester.uid());
        assertThat(group(notes)).isEqualTo(tester.gid());
        assertThat(owner(home.resolve("docs"))).isEqualTo(tester.uid());
        assertThat(download(tester, "~/docs/notes.txt").body()).isEqualTo("my notes");

        ok(tester, "MakeDir", Map.of("path", "~/made/deeper"));
        assertThat(owner(home.resolve("made"))).isEqualTo(tester.uid());
        assertThat(owner(home.resolve("made/deeper"))).isEqualTo(tester.uid());

        ok(tester, "Move", Map.of("source", "docs/notes.txt", "destination", "~/moved/notes.txt"));
        assertThat(Files.readString(home.resolve("moved/notes.txt"))).isEqualTo("my notes");
        assertThat(owner(home.resolve("moved"))).isEqualTo(tester.uid());

        JsonObject stat = ok(tester, "Stat", Map.of("path", "~/moved/notes.txt")).object("entry").orElseThrow();
        assertThat(stat.string("owner")).contains(tester.name());
        assertThat(ok(tester, "ListDir", Map.of("path", "~")).asMap().get("entries").toString())
                .contains(home.resolve("docs").toString(), home.resolve("made").toString(), home.resolve("moved").toString());

        try (var stream = client.stream("filesystem.Filesystem/WatchDir", Map.of("path", "~", "includeEntry", true),
                "Authorization", EnvdClient.basicAuth(tester.name()), "Keepalive-Ping-Interval", "1")) {
            assertThat(stream.next().orElseThrow().has("start")).isTrue();
            assertThat(upload(tester, "~/watched.txt", "w").status()).isEqualTo(200);
            JsonObject created = nextChange(stream, "watched.txt");
            assertThat(created.object("entry").orElseThrow().string("owner")).contains(tester.name());
        }

        ok(tester, "Remove", Map.of("path", "~/made"));
        ok(tester, "Remove", Map.of("path", "~/moved"));
        ok(tester, "Remove", Map.of("path", "~/docs"));
        ok(tester, "Remove", Map.of("path", "~/watched.txt"));
        assertThat(home).isEmptyDirectory();
    }

    @Test
    void rootStillDoesEverything() throws Exception {
        User root = UserDirectory.system().byName("root").orElseThrow();
        Path file = Files.writeString(dir.resolve("nobodys-other.txt"), "private");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        chown(file, nobody);

        assertThat(download(root, file.toString()).body()).isEqualTo("private");
        assertThat(ok(root, "ListDir", Map.of("path", vault.toString())).asMap().get("entries").toString()).contains("secret.txt");
        assertThat(upload(root, vault.resolve("by-root.txt").toString(), "r").status()).isEqualTo(200);
        assertThat(owner(vault.resolve("by-root.txt"))).isZero();
        ok(root, "MakeDir", Map.of("path", vault.resolve("made").toString()));
        ok(root, "Move", Map.of("source", vault.resolve("by-root.txt").toString(), "destination", vault.resolve("made/moved.txt").toString()));
        ok(root, "Remove", Map.of("path", vault.resolve("made").toString()));
        ok(root, "Remove", Map.of("path", file.toString()));
        assertThat(vault.resolve("made")).doesNotExist();
    }

    @Test
    void aRecursiveWatchLeavesOutDirectoriesTheUserCannotRead() throws Exception {
        Path watched = Files.createDirectory(home.resolve("watched"));
        chown(watched, tester);
        Path closed = Files.createDirectory(watched.resolve("closed"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (var stream = client.stream("filesystem.Filesystem/WatchDir", Map.of("path", "~/watched", "recursive", true),
                "Authorization", EnvdClient.basicAuth(tester.name()), "Keepalive-Ping-Interval", "1")) {
            assertThat(stream.next().orElseThrow().has("start")).isTrue();
            // One closed directory existed before the watch, one appears during it (root makes both).
            Path later = Files.createDirectory(watched.resolve("later"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            List<String> seen = new ArrayList<>(List.of(nextChange(stream, "later").string("name").orElseThrow()));
            Files.writeString(closed.resolve("hidden.txt"), "x");
            Files.writeString(later.resolve("hidden.txt"), "x");
            Files.writeString(watched.resolve("marker.txt"), "x");
            JsonObject change;
            do {
                change = nextChange(stream, null);
                seen.add(change.string("name").orElseThrow());
            } while (!seen.getLast().equals("marker.txt"));
            assertThat(seen).doesNotContain("closed/hidden.txt", "later/hidden.txt");
        } finally {
            run("rm", "-rf", watched.toString());
        }
    }

    @Test
    void parallelRequestsOfDifferentUsersKeepTheirOwnIdentities() throws Exception {
        Path crowd = Files.createDirectory(dir.resolve("crowd"));
        Files.setPosixFilePermissions(crowd, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path nobodysFile = Files.writeString(dir.resolve("nobodys-third.txt"), "private");
        Files.setPosixFilePermissions(nobodysFile, PosixFilePermissions.fromString("rw-------"));
        chown(nobodysFile, nobody);
        User root = UserDirectory.system().byName("root").orElseThrow();
        User daemon = UserDirectory.system().byName("daemon").orElseThrow();
        List<User> users = List.of(tester, nobody, daemon, root);

        var tasks = new ArrayList<Callable<Void>>();
        for (int i = 0; i < 30; i++) {
            for (User user : users) {
                int n = i;
                tasks.add(() -> {
                    assertThat(upload(user, crowd.resolve(user.name() + "-" + n + "/file").toString(), user.name()).status()).isEqualTo(200);
                    ok(user, "MakeDir", Map.of("path", crowd.resolve(user.name() + "-dir-" + n).toString()));
                    int expected = user == root || user == nobody ? 200 : 403;
                    assertThat(download(user, nobodysFile.toString()).statusCode()).as(user.name()).isEqualTo(expected);
                    return null;
                });
            }
        }
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (Future<Void> result : pool.invokeAll(tasks)) {
                result.get();
            }
        }

        for (int i = 0; i < 30; i++) {
            for (User user : users) {
                assertThat(owner(crowd.resolve(user.name() + "-" + i + "/file"))).as(user.name() + " " + i).isEqualTo(user.uid());
                assertThat(owner(crowd.resolve(user.name() + "-" + i))).as(user.name() + " " + i).isEqualTo(user.uid());
                assertThat(owner(crowd.resolve(user.name() + "-dir-" + i))).as(user.name() + " " + i).isEqualTo(user.uid());
                assertThat(group(crowd.resolve(user.name() + "-dir-" + i))).as(user.name() + " " + i).isEqualTo(user.gid());
            }
        }
        // No thread of this JVM (envd's HTTP threads, virtual-thread carriers, ...) kept a user's identity.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsNotActingAsRoot()).isEmpty());
    }

    /** Threads of this process whose filesystem uid or gid is not 0, as "tid: Uid line / Gid line". */
    private static List<String> threadsNotActingAsRoot() throws IOException {
        var odd = new ArrayList<String>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (NoSuchFileException e) {
                    continue; // the thread ended meanwhile
                }
                String uids = status.stream().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
                String gids = status.stream().filter(l -> l.startsWith("Gid:")).findFirst().orElseThrow();
                if (!uids.split("\\s+")[4].equals("0") || !gids.split("\\s+")[4].equals("0")) {
                    odd.add(task.getFileName() + ": " + uids + " / " + gids);
                }
            }
        }
        return odd;
    }

    /** The next change event (named {@code name}, when given). */
    private static JsonObject nextChange(EnvdClient.Stream stream, String name) {
        while (true) {
            JsonObject message = stream.next().orElseThrow();
            if (message.has("filesystem")) {
                JsonObject change = message.object("filesystem").orElseThrow();
                if (name == null || change.string("name").filter(name::equals).isPresent()) {
                    return change;
                }
            }
        }
    }
}
