package io.wrenn.controlplane.build;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Checks an uploaded archive (tar, tar.gz or zip, told apart by their first bytes) entry by
 * entry and rewrites what passes as a plain tar of directories, regular files, symbolic links
 * and hard links, all inside the archive's root, owned by root, without set-id bits. Anything
 * else is a 400 naming the entry: a path that is absolute or climbs out with {@code ..}, a link
 * pointing outside the root, an entry reached through a symbolic link of the archive, a device,
 * a FIFO, or more bytes or entries than {@link Limits} allow (decompression bombs stop at the
 * limit, whatever the headers claim). Everything streams between files: the archive is never
 * in memory.
 */
public final class ArchiveNormalizer {

    /** Bounds on what one archive may unpack to. */
    public record Limits(long maxBytes, int maxEntries) {
        public static Limits defaults() {
            return new Limits(4L << 30, 100_000);
        }
    }

    /** What was written: the normalised tar's SHA-256 (hex), its size and its number of entries. */
    public record Result(String sha256, long sizeBytes, int entries) {
    }

    /**
     * What the archive is for. {@code FILES}: files for COPY, owned by root, no set-id bits, every
     * link inside the archive. {@code ROOT_FILESYSTEM}: a whole root filesystem (tar or tar.gz
     * only) whose owners, modes (set-id and sticky bits too) and symbolic links are kept as they
     * are, absolute or climbing ones included: they are stored as links, never followed here, and
     * resolve inside the guest whose root they become. Entry paths, links an entry lies under,
     * hard links, special files and the limits are checked the same way in both.
     */
    public enum Purpose { FILES, ROOT_FILESYSTEM }

    private final Limits limits;
    private final Purpose purpose;

    public ArchiveNormalizer(Limits limits) {
        this(limits, Purpose.FILES);
    }

    public ArchiveNormalizer(Limits limits, Purpose purpose) {
        this.limits = limits;
        this.purpose = purpose;
    }

    private boolean rootfs() {
        return purpose == Purpose.ROOT_FILESYSTEM;
    }

    /** Reads {@code upload}, writes the normalised tar to {@code target}; 400 on anything refused. */
    public Result normalize(Path upload, Path target) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Format format = detect(upload);
        if (format == Format.ZIP && rootfs()) {
            throw ApiException.invalid("a root filesystem must be a tar or tar.gz (docker export's output), not a zip");
        }
        Checks checks = new Checks(limits, rootfs());
        try (OutputStream file = Files.newOutputStream(target);
             DigestOutputStream digest = new DigestOutputStream(file, sha);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(digest)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            switch (format) {
                case ZIP -> readZip(upload, checks, tar);
                case TAR, TAR_GZ -> readTar(upload, format == Format.TAR_GZ, checks, tar);
            }
            checks.finish();
            tar.finish();
        }
        return new Result(HexFormat.of().formatHex(sha.digest()), Files.size(target), checks.entries);
    }

    private enum Format { TAR, TAR_GZ, ZIP }

    private static Format detect(Path upload) throws IOException {
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(upload)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Format.TAR_GZ;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Format.ZIP;
        }
        if (n >= 262 && new String(head, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")) {
            return Format.TAR;
        }
        throw ApiException.invalid("the archive is not a tar, tar.gz or zip file");
    }

    private void readTar(Path upload, boolean gzip, Checks checks, TarArchiveOutputStream out) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(upload));
        try (InputStream in = gzip ? GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get() : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = nextTarEntry(tar)) != null) {
                if (entry.isGlobalPaxHeader() || entry.isPaxHeader()) {
                    continue;
                }
                String name = checks.name(entry.getName());
                if (entry.isBlockDevice() || entry.isCharacterDevice() || entry.isFIFO()) {
                    throw refused(name, "is a device, FIFO or other special file");
                }
                if (entry.isDirectory()) {
                    out.putArchiveEntry(keep(directory(name, entry.getMode()), entry));
                    out.closeArchiveEntry();
                    checks.add(name, Kind.DIRECTORY);
                } else if (entry.isSymbolicLink()) {
                    checks.symlink(name, entry.getLinkName());
                    out.putArchiveEntry(keep(link(name, entry.getLinkName(), TarConstants.LF_SYMLINK), entry));
                    out.closeArchiveEntry();
                } else if (entry.isLink()) {
                    String target = checks.hardLink(name, entry.getLinkName());
                    out.putArchiveEntry(keep(link(name, target, TarConstants.LF_LINK), entry));
                    out.closeArchiveEntry();
                } else if (entry.isFile()) {
                    copyFile(name, entry.getMode(), entry.getSize(), tar, checks, out, entry);
                } else {
                    throw refused(name, "is a device, FIFO or other special file");
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw ApiException.invalid("the archive is damaged or truncated");
        }
    }

    private static TarArchiveEntry nextTarEntry(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("the archive has a malformed header");
        }
    }

    private void readZip(Path upload, Checks checks, TarArchiveOutputStream out) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(upload).get()) {
            var entries = zip.getEntriesInPhysicalOrder();
            while (entries.hasMoreElements()) {
                ZipArchiveEntry entry = entries.nextElement();
                String name = checks.name(entry.getName());
                int mode = entry.getUnixMode();
                if (entry.isDirectory()) {
                    out.putArchiveEntry(directory(name, mode == 0 ? 0755 : mode));
                    out.closeArchiveEntry();
                    checks.add(name, Kind.DIRECTORY);
                } else if (entry.isUnixSymlink()) {
                    String target;
                    try (InputStream in = zip.getInputStream(entry)) {
                        byte[] bytes = in.readNBytes(ArchivePaths.MAX_LENGTH + 1);
                        if (bytes.length > ArchivePaths.MAX_LENGTH) {
                            throw refused(name, "is a link with too long a target");
                        }
                        target = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                    }
                    checks.symlink(name, target);
                    out.putArchiveEntry(link(name, target, TarConstants.LF_SYMLINK));
                    out.closeArchiveEntry();
                } else if ((mode & 0170000) != 0 && (mode & 0170000) != 0100000) {
                    throw refused(name, "is a device, FIFO or other special file");
                } else {
                    try (InputStream in = zip.getInputStream(entry)) {
                        copyFile(name, mode == 0 ? 0644 : mode, -1, in, checks, out, null);
                    }
                }
            }
        } catch (IOException e) {
            throw ApiException.invalid("the archive is damaged or truncated");
        }
    }

    /**
     * Copies one file's bytes, counting them against the limits as they come; a tar's declared
     * size is written first (tar needs it) and then checked against what really arrives.
     */
    private void copyFile(String name, int mode, long declared, InputStream in, Checks checks,
                          TarArchiveOutputStream out, TarArchiveEntry original) throws IOException {
        checks.add(name, Kind.FILE);
        if (declared >= 0) {
            checks.count(name, declared);
            out.putArchiveEntry(keep(file(name, mode, declared), original));
            long copied = in.transferTo(out);
            if (copied != declared) {
                throw ApiException.invalid("the archive is damaged at entry '" + shown(name) + "'");
            }
            out.closeArchiveEntry();
            return;
        }
        // A zip entry's size header may lie: spool it (bounded) to learn its real size first.
        Path spool = Files.createTempFile("wrenn-zip-entry-", ".bin");
        try {
            long size = 0;
            try (OutputStream file = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    size += n;
                    checks.count(name, n);
                    file.write(buffer, 0, n);
                }
            }
            out.putArchiveEntry(file(name, mode, size));
            Files.copy(spool, out);
            out.closeArchiveEntry();
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /**
     * For a root filesystem: the entry's numeric owner and whole mode as the archive had them
     * (names dropped, so the guest's tar cannot map them through its own user database).
     */
    private TarArchiveEntry keep(TarArchiveEntry written, TarArchiveEntry original) {
        if (!rootfs() || original == null) {
            return written;
        }
        written.setUserId(original.getLongUserId());
        written.setGroupId(original.getLongGroupId());
        written.setUserName("");
        written.setGroupName("");
        int type = written.getMode() & 0170000;
        if (!written.isSymbolicLink() && !written.isLink()) {
            written.setMode(type | (original.getMode() & 07777));
        }
        return written;
    }

    private static TarArchiveEntry directory(String name, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
        entry.setMode(040000 | (mode & 0777) | 0700);
        return owned(entry);
    }

    private static TarArchiveEntry file(String name, int mode, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        entry.setMode(0100000 | (mode & 0777));
        entry.setSize(size);
        return owned(entry);
    }

    private static TarArchiveEntry link(String name, String target, byte type) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setLinkName(target);
        entry.setMode(type == TarConstants.LF_SYMLINK ? 0120777 : 0100644);
        return owned(entry);
    }

    private static TarArchiveEntry owned(TarArchiveEntry entry) {
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("root");
        entry.setGroupName("root");
        entry.setModTime(java.nio.file.attribute.FileTime.fromMillis(entry.getModTime().getTime()));
        return entry;
    }

    static ApiException refused(String name, String why) {
        return ApiException.invalid("archive entry '" + shown(name) + "' " + why);
    }

    private static String shown(String name) {
        String clean = name.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    private enum Kind { DIRECTORY, FILE, SYMLINK }

    /** The running checks of one archive: names seen, links declared, bytes and entries so far. */
    private static final class Checks {
        private final Limits limits;
        private final boolean rootfs;
        private final Map<String, Kind> seen = new HashMap<>();
        private final Map<String, String> symlinks = new HashMap<>();
        private final java.util.TreeSet<String> names = new java.util.TreeSet<>();
        private long bytes;
        private int entries;

        Checks(Limits limits, boolean rootfs) {
            this.limits = limits;
            this.rootfs = rootfs;
        }

        /** The entry's normalised path, or a 400 if it may not be in an archive at all. */
        String name(String raw) {
            if (++entries > limits.maxEntries()) {
                throw ApiException.invalid("the archive has more than " + limits.maxEntries() + " entries");
            }
            String problem = ArchivePaths.problem(raw);
            if (problem != null) {
                throw refused(raw, problem);
            }
            String name = ArchivePaths.normalize(raw);
            if (name.equals(".")) {
                throw refused(raw, "names the archive's root");
            }
            // Nothing may be written through a link the archive itself made: extracting
            // 'evil -> /etc' then 'evil/passwd' would write outside the destination.
            for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
                if (symlinks.containsKey(name.substring(0, slash))) {
                    throw refused(raw, "lies under a symbolic link of the archive");
                }
            }
            names.add(name);
            return name;
        }

        /**
         * Checks that need the whole archive: no entry lies under a link declared after it, and
         * no link's target walks through another link (so {@code a -> .} and {@code b -> a/..}
         * cannot climb out together, whatever their order).
         */
        void finish() {
            for (Map.Entry<String, String> link : symlinks.entrySet()) {
                String under = link.getKey() + "/";
                String next = names.ceiling(under);
                if (next != null && next.startsWith(under)) {
                    throw refused(next, "lies under a symbolic link of the archive");
                }
                if (rootfs) {
                    // a root filesystem's links resolve in the guest, never on this host
                    continue;
                }
                String parent = link.getKey().contains("/") ? link.getKey().substring(0, link.getKey().lastIndexOf('/')) : "";
                java.util.ArrayDeque<String> path = new java.util.ArrayDeque<>();
                if (!parent.isEmpty()) {
                    for (String segment : parent.split("/")) {
                        path.addLast(segment);
                    }
                }
                String[] segments = link.getValue().split("/");
                for (int i = 0; i < segments.length; i++) {
                    String segment = segments[i];
                    if (segment.isEmpty() || segment.equals(".")) {
                        continue;
                    }
                    if (segment.equals("..")) {
                        path.pollLast();
                        continue;
                    }
                    path.addLast(segment);
                    if (i < segments.length - 1 && symlinks.containsKey(String.join("/", path))) {
                        throw refused(link.getKey(), "is a symbolic link whose target passes through another link");
                    }
                }
            }
        }

        void add(String name, Kind kind) {
            Kind before = seen.put(name, kind);
            if (before == Kind.SYMLINK || before == Kind.DIRECTORY && kind != Kind.DIRECTORY) {
                throw refused(name, "appears twice with different types");
            }
        }

        void count(String name, long more) {
            bytes += more;
            if (bytes > limits.maxBytes()) {
                throw refused(name, "makes the archive unpack to more than " + limits.maxBytes() + " bytes");
            }
        }

        void symlink(String name, String target) {
            if (rootfs) {
                if (target.isEmpty() || target.length() > ArchivePaths.MAX_LENGTH || target.indexOf('\0') >= 0) {
                    throw refused(name, "is a symbolic link with an empty, too long or malformed target");
                }
                add(name, Kind.SYMLINK);
                symlinks.put(name, target);
                return;
            }
            if (target.isEmpty() || target.startsWith("/")) {
                throw refused(name, "is a symbolic link to an absolute path");
            }
            // A zip link's target is its content, so it may hold anything: a NUL would end it when
            // the tar is read, after the check below ('..\0' passes as a name but reads as '..').
            if (target.chars().anyMatch(c -> c < 0x20)) {
                throw refused(name, "is a symbolic link whose target holds a control character");
            }
            String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
            if (escapes(parent, target)) {
                throw refused(name, "is a symbolic link pointing outside the archive");
            }
            add(name, Kind.SYMLINK);
            symlinks.put(name, target);
        }

        String hardLink(String name, String target) {
            String problem = ArchivePaths.problem(target);
            if (problem != null) {
                throw refused(name, "is a hard link whose target " + problem);
            }
            String normalized = ArchivePaths.normalize(target);
            if (seen.get(normalized) != Kind.FILE) {
                throw refused(name, "is a hard link to something that is not an earlier file of the archive");
            }
            add(name, Kind.FILE);
            return normalized;
        }

        /** Whether {@code target}, relative to directory {@code parent}, climbs above the archive's root. */
        private static boolean escapes(String parent, String target) {
            int depth = parent.isEmpty() ? 0 : parent.split("/").length;
            for (String segment : target.split("/")) {
                if (segment.equals("..")) {
                    if (--depth < 0) {
                        return true;
                    }
                } else if (!segment.isEmpty() && !segment.equals(".")) {
                    depth++;
                }
            }
            return false;
        }
    }
}
