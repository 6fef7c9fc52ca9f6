package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pause's manifest finds any change to the saved state or to the RAM file, holes included. */
class PauseStateTest {

    @TempDir
    Path dir;
    Path memory;

    @BeforeEach
    void savedPause() throws Exception {
        Files.write(dir.resolve(PauseState.STATE), "device state".getBytes());
        memory = dir.resolve("memory");
        try (FileChannel channel = FileChannel.open(memory, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("guest page".getBytes()), 4L << 20);
            channel.truncate(32L << 20);
        }
    }

    private static void writeAt(Path file, long offset, String text) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(text.getBytes()), offset);
        }
    }

    @Test
    void anUntouchedPauseVerifies() throws Exception {
        PauseState.describe(1, true, dir, memory, null).write(dir);
        assertThat(PauseState.read(dir).verify(dir, memory)).isNull();
    }

    @Test
    void aChangedPageOfRamIsFound() throws Exception {
        PauseState.describe(1, true, dir, memory, null).write(dir);
        writeAt(memory, 4L << 20, "GUEST");
        assertThat(PauseState.read(dir).verify(dir, memory)).contains("memory");
    }

    @Test
    void dataWrittenIntoAHoleIsFound() throws Exception {
        PauseState.describe(1, true, dir, memory, null).write(dir);
        writeAt(memory, 20L << 20, "new");
        assertThat(PauseState.read(dir).verify(dir, memory)).contains("memory");
    }

    @Test
    void aChangedDeviceStateIsFound() throws Exception {
        PauseState.describe(1, true, dir, memory, null).write(dir);
        Files.write(dir.resolve(PauseState.STATE), "device stat3".getBytes());
        assertThat(PauseState.read(dir).verify(dir, memory)).contains("device state");
    }

    @Test
    void aPauseOfAnEarlierVersionWithAWholeFileChecksumStillVerifies() throws Exception {
        String whole = PauseState.crc32c(memory);
        Files.writeString(dir.resolve(PauseState.MANIFEST), """
                {"generation":1,"ignoreShared":true,"stateBytes":12,"stateCrc32c":"%s","memoryBytes":%d,"memoryCrc32c":"%s"}"""
                .formatted(PauseState.crc32c(dir.resolve(PauseState.STATE)), Files.size(memory), whole));

        assertThat(PauseState.read(dir).verify(dir, memory)).isNull();
        writeAt(memory, 4L << 20, "GUEST");
        assertThat(PauseState.read(dir).verify(dir, memory)).contains("memory");
    }

    /**
     * Where the file system draws the line between data and holes does not change the RAM
     * file's checksum (it moves when the file's blocks are reserved ahead), but its bytes do.
     */
    @Test
    void theMemoryChecksumSeesBytesNotWhereTheFileSystemPutsItsHoles() throws Exception {
        Path memory = dir.resolve("ram");
        try (FileChannel channel = FileChannel.open(memory, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("guest data".getBytes()), 3 * 4096 + 17);
            channel.write(ByteBuffer.wrap(new byte[] {1}), (4L << 20) - 1);
        }
        String before = PauseState.nonzeroPagesCrc32c(memory);

        io.wrenn.hostagent.os.SparseFiles.allocate(memory, 4L << 20);
        try (FileChannel channel = FileChannel.open(memory, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8192), 1 << 20); // zeros written where a hole was
        }
        assertThat(PauseState.nonzeroPagesCrc32c(memory)).isEqualTo(before);

        try (FileChannel channel = FileChannel.open(memory, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("Guest".getBytes()), 3 * 4096 + 17);
        }
        assertThat(PauseState.nonzeroPagesCrc32c(memory)).isNotEqualTo(before);
    }
}
