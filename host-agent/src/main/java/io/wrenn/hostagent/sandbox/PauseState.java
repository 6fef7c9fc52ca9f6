package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

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
 * @param memoryCrc32c CRC-32C of the memory file
 */
record PauseState(long generation, boolean ignoreShared, long stateBytes, String stateCrc32c, long memoryBytes,
        String memoryCrc32c) {

    static final String MANIFEST = "pause.json";
    static final String STATE = "state";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Describes the files a pause has just written to {@code dir} (state) and {@code memory}. */
    static PauseState describe(long generation, boolean ignoreShared, Path dir, Path memory) {
        Path state = dir.resolve(STATE);
        try {
            return new PauseState(generation, ignoreShared, Files.size(state), crc32c(state),
                    ignoreShared ? Files.size(memory) : 0, ignoreShared ? crc32c(memory) : "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(Path dir) {
        try {
            Path temp = dir.resolve(MANIFEST + ".tmp");
            Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest in {@code dir}, or null when there is none (or it is unreadable). */
    static PauseState read(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), PauseState.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Null when the files in {@code dir} and {@code memory} are what this manifest says; else what is wrong. */
    String verify(Path dir, Path memory) {
        try {
            Path state = dir.resolve(STATE);
            if (!Files.isRegularFile(state) || Files.size(state) != stateBytes || !crc32c(state).equals(stateCrc32c)) {
                return "the saved device state does not match its checksum";
            }
            if (ignoreShared && (!Files.isRegularFile(memory) || Files.size(memory) != memoryBytes
                    || !crc32c(memory).equals(memoryCrc32c))) {
                return "the saved memory does not match its checksum";
            }
            return null;
        } catch (IOException e) {
            return "the saved state cannot be read";
        }
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
}
