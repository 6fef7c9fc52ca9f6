package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.controlplane.http.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveNormalizerTest {

    @TempDir
    Path dir;

    private final ArchiveNormalizer normalizer = new ArchiveNormalizer(new ArchiveNormalizer.Limits(1 << 20, 50));

    @Test
    void aGoodTarGzBecomesAPlainTarOwnedByRoot() throws IOException {
        Path upload = write("good.tar.gz", gzip(tar(t -> {
            dirEntry(t, "app/", 0755);
            file(t, "./app/run.sh", "#!/bin/sh\necho hi\n", 04755);
            link(t, "app/latest", "run.sh", TarConstants.LF_SYMLINK);
            link(t, "app/same", "app/run.sh", TarConstants.LF_LINK);
            link(t, "up", "app/../app/run.sh", TarConstants.LF_SYMLINK);
        })));
        Path out = dir.resolve("out.tar");
        ArchiveNormalizer.Result result = normalizer.normalize(upload, out);
        assertThat(result.entries()).isEqualTo(5);
        assertThat(result.sha256()).matches("[0-9a-f]{64}");
        List<String> seen = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(out))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                seen.add(entry.getName() + " " + Integer.toOctalString(entry.getMode()) + " " + entry.getLongUserId()
                        + (entry.isSymbolicLink() || entry.isLink() ? " -> " + entry.getLinkName() : ""));
                if (entry.getName().equals("app/run.sh")) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\necho hi\n");
                }
            }
        }
        assertThat(seen).containsExactly("app/ 40755 0", "app/run.sh 100755 0", "app/latest 120777 0 -> run.sh",
                "app/same 100644 0 -> app/run.sh", "up 120777 0 -> app/../app/run.sh");
    }

    @Test
    void zipsAreReadToo() throws IOException {
        Path upload = write("good.zip", zip("dir/", null, "dir/a.txt", "A"));
        ArchiveNormalizer.Result result = normalizer.normalize(upload, dir.resolve("out.tar"));
        assertThat(result.entries()).isEqualTo(2);
    }

    @Test
    void maliciousEntriesAreRefusedByName() throws IOException {
        refused(tar(t -> file(t, "../escape", "x", 0644)), "archive entry '../escape' leaves the archive");
        refused(tar(t -> file(t, "a/../../escape", "x", 0644)), "archive entry 'a/../../escape' leaves the archive");
        refused(tar(t -> file(t, "/etc/passwd", "x", 0644)), "archive entry '/etc/passwd' is absolute");
        refused(tar(t -> link(t, "evil", "/etc", TarConstants.LF_SYMLINK)), "archive entry 'evil' is a symbolic link to an absolute path");
        refused(tar(t -> link(t, "d/evil", "../../etc", TarConstants.LF_SYMLINK)), "archive entry 'd/evil' is a symbolic link pointing outside");
        refused(tar(t -> {
            link(t, "evil", "sub", TarConstants.LF_SYMLINK);
            file(t, "evil/passwd", "x", 0644);
        }), "archive entry 'evil/passwd' lies under a symbolic link");
        refused(tar(t -> {
            file(t, "later/passwd", "x", 0644);
            link(t, "later", "sub", TarConstants.LF_SYMLINK);
        }), "archive entry 'later/passwd' lies under a symbolic link");
        refused(tar(t -> {
            link(t, "here", ".", TarConstants.LF_SYMLINK);
            link(t, "out", "here/..", TarConstants.LF_SYMLINK);
        }), "archive entry 'out' is a symbolic link whose target passes through another link");
        refused(tar(t -> link(t, "hard", "../../etc/shadow", TarConstants.LF_LINK)), "archive entry 'hard' is a hard link whose target leaves");
        refused(tar(t -> link(t, "hard", "missing", TarConstants.LF_LINK)), "archive entry 'hard' is a hard link to something that is not an earlier file");
        refused(tar(t -> {
            TarArchiveEntry device = new TarArchiveEntry("sda", TarConstants.LF_BLK);
            t.putArchiveEntry(device);
            t.closeArchiveEntry();
        }), "archive entry 'sda' is a device");
        refused(zip("../zipped", "x"), "archive entry '../zipped' leaves the archive");
    }

    @Test
    void bombsStopAtTheLimits() throws IOException {
        // 2 MiB of zeros gzip to ~2 KiB; the limit is 1 MiB unpacked.
        refused(gzip(tar(t -> file(t, "zeros", "\0".repeat(2 << 20), 0644))), "archive entry 'zeros' makes the archive unpack to more than");
        refused(tar(t -> {
            for (int i = 0; i < 51; i++) {
                file(t, "f" + i, "", 0644);
            }
        }), "the archive has more than 50 entries");
        refused("just text, not an archive".getBytes(StandardCharsets.UTF_8), "the archive is not a tar, tar.gz or zip file");
    }

    private final ArchiveNormalizer rootfs = new ArchiveNormalizer(new ArchiveNormalizer.Limits(1 << 20, 50),
            ArchiveNormalizer.Purpose.ROOT_FILESYSTEM);

    @Test
    void aRootFilesystemKeepsOwnersModesAndLinksThatResolveInTheGuest() throws IOException {
        Path upload = write("rootfs.tar", tar(t -> {
            link(t, "bin", "usr/bin", TarConstants.LF_SYMLINK);
            dirEntry(t, "tmp/", 01777);
            TarArchiveEntry sudo = new TarArchiveEntry("usr/bin/sudo", true);
            sudo.setMode(0104755);
            sudo.setUserId(0);
            sudo.setGroupId(0);
            sudo.setSize(0);
            t.putArchiveEntry(sudo);
            t.closeArchiveEntry();
            TarArchiveEntry home = new TarArchiveEntry("home/app/", TarConstants.LF_DIR);
            home.setMode(040700);
            home.setUserId(1001);
            home.setGroupId(1002);
            home.setUserName("app");
            t.putArchiveEntry(home);
            t.closeArchiveEntry();
            link(t, "usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", TarConstants.LF_SYMLINK);
            link(t, "usr/bin/up", "../../../../etc", TarConstants.LF_SYMLINK);
        }));
        Path out = dir.resolve("rootfs-out.tar");
        rootfs.normalize(upload, out);
        List<String> seen = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(out))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                seen.add(entry.getName() + " " + Integer.toOctalString(entry.getMode()) + " " + entry.getLongUserId() + ":"
                        + entry.getLongGroupId() + "[" + entry.getUserName() + "]"
                        + (entry.isSymbolicLink() ? " -> " + entry.getLinkName() : ""));
            }
        }
        assertThat(seen).containsExactly("bin 120777 0:0[] -> usr/bin", "tmp/ 41777 0:0[]", "usr/bin/sudo 104755 0:0[]",
                "home/app/ 40700 1001:1002[]", "usr/lib64/ld-linux-x86-64.so.2 120777 0:0[] -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "usr/bin/up 120777 0:0[] -> ../../../../etc");
    }

    @Test
    void aRootFilesystemIsStillCheckedEntryByEntry() throws IOException {
        refusedAsRootfs(tar(t -> file(t, "../escape", "x", 0644)), "archive entry '../escape' leaves the archive");
        refusedAsRootfs(tar(t -> file(t, "/etc/passwd", "x", 0644)), "archive entry '/etc/passwd' is absolute");
        refusedAsRootfs(tar(t -> {
            link(t, "etc", "/etc", TarConstants.LF_SYMLINK);
            file(t, "etc/cron.d/evil", "x", 0644);
        }), "archive entry 'etc/cron.d/evil' lies under a symbolic link");
        refusedAsRootfs(tar(t -> link(t, "passwd", "../etc/passwd", TarConstants.LF_LINK)), "archive entry 'passwd' is a hard link whose target leaves");
        refusedAsRootfs(tar(t -> link(t, "shadow", "etc/shadow", TarConstants.LF_LINK)), "archive entry 'shadow' is a hard link to something that is not an earlier file");
        refusedAsRootfs(tar(t -> {
            TarArchiveEntry dev = new TarArchiveEntry("dev/sda", TarConstants.LF_BLK);
            t.putArchiveEntry(dev);
            t.closeArchiveEntry();
        }), "archive entry 'dev/sda' is a device");
        refusedAsRootfs(gzip(tar(t -> file(t, "zeros", "\0".repeat(2 << 20), 0644))), "archive entry 'zeros' makes the archive unpack to more than");
        refusedAsRootfs(zip("a.txt", "A"), "a root filesystem must be a tar or tar.gz");
    }

    private void refusedAsRootfs(byte[] archive, String message) throws IOException {
        Path upload = write("bad-" + System.nanoTime(), archive);
        assertThatThrownBy(() -> rootfs.normalize(upload, dir.resolve("out-" + System.nanoTime() + ".tar")))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith(message);
    }

    private void refused(byte[] archive, String message) throws IOException {
        Path upload = write("bad-" + System.nanoTime(), archive);
        assertThatThrownBy(() -> normalizer.normalize(upload, dir.resolve("out-" + System.nanoTime() + ".tar")))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith(message);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
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

    private static void dirEntry(TarArchiveOutputStream tar, String name, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040000 | mode);
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

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /** Pairs of name and content (null content: a directory). */
    private static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                if (namesAndContents[i + 1] != null) {
                    zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                }
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
