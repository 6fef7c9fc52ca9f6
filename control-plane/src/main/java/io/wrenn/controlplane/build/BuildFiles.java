package io.wrenn.controlplane.build;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Archives for COPY steps on the control plane's disk, by team and content:
 * {@code {dir}/{team}/{sha256}.tar}, the normalised tar {@link ArchiveNormalizer} wrote. An upload
 * is spooled to a file, checked and rewritten, then renamed into place: nothing is held in
 * memory, and a crash leaves only files in {@code {dir}/.incoming}, emptied at start. Stored
 * archives survive a restart, so a queued build keeps its files.
 */
public final class BuildFiles {

    public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;
    private final BuildStore store;
    private final ArchiveNormalizer normalizer;
    private final ArchiveNormalizer rootfsNormalizer;
    private final long maxUploadBytes;

    public BuildFiles(Path dir, BuildStore store, ArchiveNormalizer.Limits limits) {
        this.dir = dir;
        this.store = store;
        this.normalizer = new ArchiveNormalizer(limits);
        this.rootfsNormalizer = new ArchiveNormalizer(limits, ArchiveNormalizer.Purpose.ROOT_FILESYSTEM);
        this.maxUploadBytes = limits.maxBytes();
        try {
            Files.createDirectories(incoming());
            try (var leftovers = Files.list(incoming())) {
                for (Path file : leftovers.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /** Stores an uploaded archive of {@code team} under the SHA-256 of its normalised tar; returns that key. */
    public String store(UUID team, InputStream upload) {
        return store(team, null, upload);
    }

    /**
     * Stores an uploaded archive of {@code team} under {@code key} (E2B names an upload by a hash
     * its SDK computed over the sources, not over the tar), or under the normalised tar's SHA-256
     * when {@code key} is null; returns the key.
     */
    public String store(UUID team, String key, InputStream upload) {
        return store(team, key, upload, normalizer);
    }

    /**
     * Stores an uploaded root filesystem tarball of {@code team} (checked as
     * {@link ArchiveNormalizer.Purpose#ROOT_FILESYSTEM}) under its normalised tar's SHA-256; returns that key.
     */
    public String storeRootFilesystem(UUID team, InputStream upload) {
        return store(team, null, upload, rootfsNormalizer);
    }

    /** The stored archive's size in bytes. */
    public long size(Path archive) {
        try {
            return Files.size(archive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String store(UUID team, String key, InputStream upload, ArchiveNormalizer normalizer) {
        if (key != null && !SHA256.matcher(key).matches()) {
            throw ApiException.invalid("a file hash is 64 lower-case hexadecimal digits");
        }
        Path spool = null;
        Path normalized = null;
        try {
            spool = Files.createTempFile(incoming(), "upload-", ".bin");
            try (OutputStream out = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                while ((n = upload.read(buffer)) > 0) {
                    total += n;
                    if (total > maxUploadBytes) {
                        throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the archive is larger than " + maxUploadBytes + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            }
            normalized = Files.createTempFile(incoming(), "archive-", ".tar");
            ArchiveNormalizer.Result result = normalizer.normalize(spool, normalized);
            String name = key == null ? result.sha256() : key;
            Path target = path(team, name);
            Files.createDirectories(target.getParent());
            Files.move(normalized, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            normalized = null;
            store.recordFile(team, name, result.sizeBytes(), result.entries());
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(spool);
            deleteQuietly(normalized);
        }
    }

    /** The stored archive {@code sha256} of {@code team}, if the team has it. */
    public Optional<Path> find(UUID team, String sha256) {
        if (!SHA256.matcher(sha256).matches() || !store.hasFile(team, sha256)) {
            return Optional.empty();
        }
        Path file = path(team, sha256);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private Path path(UUID team, String sha256) {
        return dir.resolve(team.toString()).resolve(sha256 + ".tar");
    }

    private Path incoming() {
        return dir.resolve(".incoming");
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover in .incoming is removed at the next start
            }
        }
    }
}
