package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.SparseFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import io.wrenn.hostagent.vm.VmBuild;

/**
 * {@code pause/pause.json}: which generation a pause is, how its state was saved and the
 * checksums of its files, so that a resume restores exactly the latest pause or refuses.
 *
 * @param generation   the sandbox's pause counter after this pause
 * @param ignoreShared the state was saved with x-ignore-shared: the RAM is the sandbox's
 *                     {@code memory} file; else the RAM is inside the state
 * @param stateBytes   size of the device state
 * @param stateCrc32c  CRC-32C of the device state
 * @param memoryBytes  size of the memory file (0 when the RAM is in the state)
 * @param memoryCrc32c checksum of the memory file, as {@code memoryChecksum} says
 * @param memoryChecksum {@value #NONZERO_PAGES}: CRC-32C over each 4 KiB page of the file's
 *                     data regions that is not all zeros (its offset, 8 bytes, big-endian, then
 *                     its bytes), so the holes that are most of a RAM file are never read, and
 *                     where the file system draws the line between data and holes does not
 *                     matter (it moves: a RAM file's blocks are reserved ahead, and such a
 *                     block reads as a hole or as data depending on the page cache);
 *                     {@value #DATA_REGIONS} (earlier pauses): CRC-32C over each data region
 *                     (its offset and length, then its bytes); absent (earlier still): CRC-32C
 *                     of the whole file
 * @param vm           the QEMU, machine and kernel that saved it; null in pauses of format 1
 * @param memoryDropped the pause kept only the disk (no device state, no RAM): the resume boots
 *                     it; null (format 2 and before) = false
 */
record PauseState(long generation, boolean ignoreShared, long stateBytes, String stateCrc32c, long memoryBytes,
        String memoryCrc32c, String memoryChecksum, VmBuild vm, Boolean memoryDropped) {

    /**
     * {@code pause.json}'s format: 1 recorded neither it nor {@code vm}; 2 records both; 3 adds
     * {@code memoryDropped} (an agent of format 2 would take a disk-only pause for a corrupt one).
     */
    static final int FORMAT = 3;

    /** Whether this pause kept only the disk. */
    boolean diskOnly() {
        return Boolean.TRUE.equals(memoryDropped);
    }

    /** A pause that kept only the disk: nothing to check but the generation. */
    static PauseState diskOnly(long generation, VmBuild vm) {
        return new PauseState(generation, false, 0, "", 0, "", NONZERO_PAGES, vm, true);
    }

    static final String NONZERO_PAGES = "crc32c-nonzero-pages";
    static final String DATA_REGIONS = "crc32c-data-regions";
    private static final int PAGE = 4096;

    static final String MANIFEST = "pause.json";
    static final String STATE = "state";

    /** Describes the files a pause has just written to {@code dir} (state) and {@code memory}. */
    static PauseState describe(long generation, boolean ignoreShared, Path dir, Path memory, VmBuild vm) {
        Path state = dir.resolve(STATE);
        try {
            return new PauseState(generation, ignoreShared, Files.size(state), crc32c(state),
                    ignoreShared ? Files.size(memory) : 0, ignoreShared ? nonzeroPagesCrc32c(memory) : "", NONZERO_PAGES, vm, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(Path dir) {
        try {
            Path temp = dir.resolve(MANIFEST + ".tmp");
            Files.write(temp, Manifests.encode(this, FORMAT));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The manifest in {@code dir}, or null when there is none (or it is unreadable).
     *
     * @throws SandboxException FAILED_PRECONDITION when a newer agent wrote it
     */
    static PauseState read(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Manifests.decode(file, PauseState.class, FORMAT);
        } catch (SandboxException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Null when the files in {@code dir} and {@code memory} are what this manifest says; else what is wrong. */
    String verify(Path dir, Path memory) {
        if (diskOnly()) {
            return null;
        }
        try {
            Path state = dir.resolve(STATE);
            if (!Files.isRegularFile(state) || Files.size(state) != stateBytes || !crc32c(state).equals(stateCrc32c)) {
                return "the saved device state does not match its checksum";
            }
            if (ignoreShared && (!Files.isRegularFile(memory) || Files.size(memory) != memoryBytes
                    || !memoryChecksum(memory).equals(memoryCrc32c))) {
                return "the saved memory does not match its checksum";
            }
            return null;
        } catch (IOException e) {
            return "the saved state cannot be read";
        }
    }

    private String memoryChecksum(Path memory) throws IOException {
        if (NONZERO_PAGES.equals(memoryChecksum)) {
            return nonzeroPagesCrc32c(memory);
        }
        return DATA_REGIONS.equals(memoryChecksum) ? dataRegionsCrc32c(memory) : crc32c(memory);
    }

    /** CRC-32C (hardware-assisted in the JDK) of a file, streamed in 1 MiB reads. */
    static String crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /** The {@value #NONZERO_PAGES} checksum of a sparse file. */
    static String nonzeroPagesCrc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        ByteBuffer zeros = ByteBuffer.allocateDirect(PAGE);
        ByteBuffer offset = ByteBuffer.allocate(8);
        long size = Files.size(file);
        long done = 0; // pages below this were read already (regions of an unaligned file may share one)
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (SparseFiles.Region region : SparseFiles.dataRegions(file)) {
                long at = Math.max(done, region.offset() / PAGE * PAGE);
                long end = Math.min(size, (region.offset() + region.length() + PAGE - 1) / PAGE * PAGE);
                while (at < end) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
                    long start = at;
                    while (buffer.hasRemaining()) {
                        int n = channel.read(buffer, at);
                        if (n < 0) {
                            throw new IOException(file + " ended inside a data region");
                        }
                        at += n;
                    }
                    buffer.flip();
                    for (int page = 0; page < buffer.limit(); page += PAGE) {
                        ByteBuffer bytes = buffer.slice(page, Math.min(PAGE, buffer.limit() - page));
                        if (bytes.mismatch(zeros.clear().limit(bytes.remaining())) == -1) {
                            continue;
                        }
                        crc.update(offset.clear().putLong(start + page).flip());
                        crc.update(bytes);
                    }
                }
                done = Math.max(done, end);
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /** The {@value #DATA_REGIONS} checksum of a sparse file. */
    static String dataRegionsCrc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        ByteBuffer header = ByteBuffer.allocate(16);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (SparseFiles.Region region : SparseFiles.dataRegions(file)) {
                crc.update(header.clear().putLong(region.offset()).putLong(region.length()).flip());
                long at = region.offset();
                long end = region.offset() + region.length();
                while (at < end) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
                    int n = channel.read(buffer, at);
                    if (n < 0) {
                        throw new IOException(file + " ended inside a data region");
                    }
                    at += n;
                    crc.update(buffer.flip());
                }
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
