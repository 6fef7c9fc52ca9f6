package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Uploaded build archives, fuzzed: tar, tar.gz and zip files of hostile entries (climbing and
 * absolute names, links out of the root, links through links, devices, duplicates, set-id
 * bits), damaged copies of them and random bytes. The normaliser refuses with a 400 or writes a
 * tar in which nothing points outside its root, which is checked by reading that tar back.
 */
class ArchiveNormalizerFuzzTest {

    private static final ArchiveNormalizer NORMALIZER = new ArchiveNormalizer(new ArchiveNormalizer.Limits(1 << 20, 40));

    /** Past the normaliser's own limit (4096), so too long a name is still tried. */
    private static final int MAX_WRITTEN_NAME = 4200;

    enum Kind { FILE, DIRECTORY, SYMLINK, HARD_LINK, FIFO, DEVICE }

    /** One entry to write: its kind, name, link target (links) and mode. */
    record Spec(Kind kind, String name, String target, int mode) {
    }

    @Test
    void aTarOfHostileEntriesIsRefusedOrNormalisedInsideItsRoot() {
        Fuzz.check(200, entries(), Gen.booleans(), (entries, gzip) -> assertRefusedOrContained(tar(entries, gzip)));
    }

    @Test
    void aZipOfHostileEntriesIsRefusedOrNormalisedInsideItsRoot() {
        Fuzz.check(200, entries(), entries -> assertRefusedOrContained(zip(entries)));
    }

    /** An archive of hostile entries, then bytes overwritten and, one time in five, cut short. */
    @Test
    void aDamagedArchiveIsRefusedOrNormalisedInsideItsRoot() {
        Gen<byte[]> damaged = random -> {
            List<Spec> entries = entries().next(random);
            int kind = random.nextInt(15);
            List<Integer> positions = Gen.ints().list(4).next(random);
            byte value = (byte) random.nextInt(256);
            byte[] archive = switch (kind % 3) {
                case 0 -> tar(entries, false);
                case 1 -> tar(entries, true);
                default -> zip(entries);
            };
            for (int position : positions) {
                archive[Math.floorMod(position, archive.length)] = value;
            }
            if (kind % 5 == 0) {
                archive = java.util.Arrays.copyOf(archive, Math.floorMod(positions.isEmpty() ? 7 : positions.getFirst(), archive.length));
            }
            return archive;
        };
        Fuzz.check(200, damaged, ArchiveNormalizerFuzzTest::assertRefusedOrContained);
    }

    @Test
    void randomBytesBehindAnyMagicAreRefused() {
        byte[] ustar = new byte[262];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, ustar, 257, 5);
        Gen<byte[]> magic = Gen.of(new byte[] {0x1f, (byte) 0x8b}, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3},
                new byte[] {'P', 'K', 3, 4}, ustar, new byte[0]);
        Gen<byte[]> archives = Gen.combine(magic, Gen.bytes(512), (head, tail) -> {
            byte[] archive = new byte[head.length + tail.length];
            System.arraycopy(head, 0, archive, 0, head.length);
            System.arraycopy(tail, 0, archive, head.length, tail.length);
            return archive;
        });
        Fuzz.check(300, archives, ArchiveNormalizerFuzzTest::assertRefusedOrContained);
    }

    private static void assertRefusedOrContained(byte[] archive) {
        try {
            refusedOrContained(archive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void refusedOrContained(byte[] archive) throws IOException {
        Path upload = Files.createTempFile("wrenn-fuzz-archive-", ".bin");
        Path normalised = Files.createTempFile("wrenn-fuzz-normalised-", ".tar");
        try {
            Files.write(upload, archive);
            try {
                NORMALIZER.normalize(upload, normalised);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            assertContained(normalised);
        } finally {
            Files.deleteIfExists(upload);
            Files.deleteIfExists(normalised);
        }
    }

    /** What the normalised tar promises: relative clean names, links inside the root, nothing special. */
    private static void assertContained(Path normalised) throws IOException {
        Set<String> files = new HashSet<>();
        List<String> symlinks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(normalised); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.isDirectory() ? entry.getName().substring(0, entry.getName().length() - 1) : entry.getName();
                assertClean(name);
                assertThat(entry.isBlockDevice() || entry.isCharacterDevice() || entry.isFIFO()).as(name).isFalse();
                assertThat(entry.getLongUserId()).isZero();
                assertThat(entry.getMode() & 06000).as(name).isZero();
                names.add(name);
                if (entry.isSymbolicLink()) {
                    String target = entry.getLinkName();
                    assertThat(target).as(name).isNotEmpty().doesNotStartWith("/");
                    assertThat(target.chars().noneMatch(c -> c < 0x20)).as(name + " -> " + target).isTrue();
                    assertThat(depthAfter(parent(name), target)).as(name + " -> " + target).isNotNegative();
                    symlinks.add(name);
                } else if (entry.isLink()) {
                    assertThat(files).as(name + " hard link").contains(entry.getLinkName());
                } else if (entry.isFile()) {
                    files.add(name);
                }
            }
        }
        for (String link : symlinks) {
            assertThat(names).noneMatch(name -> name.startsWith(link + "/"));
        }
    }

    private static void assertClean(String name) {
        assertThat(name).isNotEmpty().doesNotStartWith("/");
        assertThat(name.split("/")).doesNotContain("..", ".", "");
        assertThat(name.chars().noneMatch(c -> c < 0x20)).as(name).isTrue();
    }

    private static String parent(String name) {
        return name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
    }

    /** How deep below the root {@code target} ends when followed from directory {@code parent}; negative once it climbs out. */
    private static int depthAfter(String parent, String target) {
        int depth = parent.isEmpty() ? 0 : parent.split("/").length;
        for (String segment : target.split("/")) {
            if (segment.equals("..")) {
                if (--depth < 0) {
                    return depth;
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
        }
        return depth;
    }

    static byte[] tar(List<Spec> entries, boolean gzip) {
        try {
            return tarOrFail(entries, gzip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] tarOrFail(List<Spec> entries, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.io.OutputStream out = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            for (Spec spec : entries) {
                if (spec.name().length() > MAX_WRITTEN_NAME || String.valueOf(spec.target()).length() > MAX_WRITTEN_NAME) {
                    continue; // the tar writer trims long names in time quadratic in their length
                }
                TarArchiveEntry entry = switch (spec.kind()) {
                    case FILE -> new TarArchiveEntry(spec.name(), TarConstants.LF_NORMAL);
                    case DIRECTORY -> new TarArchiveEntry(spec.name(), TarConstants.LF_DIR);
                    case SYMLINK -> new TarArchiveEntry(spec.name(), TarConstants.LF_SYMLINK);
                    case HARD_LINK -> new TarArchiveEntry(spec.name(), TarConstants.LF_LINK);
                    case FIFO -> new TarArchiveEntry(spec.name(), TarConstants.LF_FIFO);
                    case DEVICE -> new TarArchiveEntry(spec.name(), TarConstants.LF_CHR);
                };
                if (spec.target() != null && (spec.kind() == Kind.SYMLINK || spec.kind() == Kind.HARD_LINK)) {
                    entry.setLinkName(spec.target());
                }
                entry.setMode((entry.getMode() & 0170000) | spec.mode());
                // A name ending in '/' makes any entry a directory, which holds no bytes.
                byte[] content = spec.kind() == Kind.FILE && !entry.isDirectory() ? spec.name().getBytes(StandardCharsets.UTF_8) : new byte[0];
                entry.setSize(content.length);
                try {
                    tar.putArchiveEntry(entry);
                } catch (IllegalArgumentException e) {
                    continue; // a name or link the tar writer cannot encode: not an archive anyone could upload
                }
                tar.write(content);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return bytes.toByteArray();
    }

    static byte[] zip(List<Spec> entries) {
        try {
            return zipOrFail(entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] zipOrFail(List<Spec> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Spec spec : entries) {
                String name = spec.kind() == Kind.DIRECTORY ? spec.name() + "/" : spec.name();
                if (name.length() > 0xffff / 3) {
                    continue; // longer than a zip header can hold: not an archive anyone could upload
                }
                ZipArchiveEntry entry = new ZipArchiveEntry(name);
                byte[] content;
                switch (spec.kind()) {
                    case SYMLINK, HARD_LINK -> {
                        entry.setUnixMode(0120777);
                        content = String.valueOf(spec.target()).getBytes(StandardCharsets.UTF_8);
                    }
                    case FIFO -> {
                        entry.setUnixMode(0010644);
                        content = new byte[0];
                    }
                    case DEVICE -> {
                        entry.setUnixMode(0020644);
                        content = new byte[0];
                    }
                    case DIRECTORY -> {
                        entry.setUnixMode(0040000 | spec.mode());
                        content = new byte[0];
                    }
                    default -> {
                        entry.setUnixMode(0100000 | spec.mode());
                        content = name.getBytes(StandardCharsets.UTF_8);
                    }
                }
                zip.putArchiveEntry(entry);
                zip.write(content);
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static Gen<List<Spec>> entries() {
        Gen<String> segment = Gen.oneOf(Gen.of("a", "b", "c", "..", ".", "", "x\0y", "é", "\n", "..\0", "\\..", "%2e%2e"),
                Gen.strings("abcdefghijklmnopqrstuvwxyz", 1, 1));
        Gen<String> path = segment.list(1, 4).map(parts -> String.join("/", parts));
        Gen<String> name = Gen.weighted(8, path, 1, path.map(p -> "/" + p), 1, HostileText.any());
        Gen<String> target = Gen.oneOf(path, path.map(p -> "/" + p), path.map(p -> "../" + p),
                path.map(p -> p + "\0/../.."), HostileText.tricks(), Gen.constant(""));
        Gen<Kind> kind = Gen.of(Kind.FILE, Kind.FILE, Kind.FILE, Kind.FILE, Kind.FILE, Kind.DIRECTORY, Kind.DIRECTORY,
                Kind.DIRECTORY, Kind.SYMLINK, Kind.SYMLINK, Kind.SYMLINK, Kind.SYMLINK, Kind.HARD_LINK, Kind.HARD_LINK,
                Kind.FIFO, Kind.DEVICE);
        Gen<Integer> mode = Gen.of(0644, 0755, 04755, 02755, 01777, 0);
        Gen<Spec> spec = random -> new Spec(kind.next(random), name.next(random), target.next(random), mode.next(random));
        return spec.list(10);
    }

    @Test
    void aZipSymlinkWhoseTargetHidesDotDotBehindNulIsRefused() {
        byte[] archive = zip(List.of(new Spec(Kind.SYMLINK, "up", "..\0", 0777)));
        assertRefusedOrContained(archive);
    }
}
