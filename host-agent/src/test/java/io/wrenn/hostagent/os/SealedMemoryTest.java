package io.wrenn.hostagent.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedMemoryTest {

    @TempDir
    Path dir;

    /** A sparse file: a page of data at 0, another deep inside, holes and a piece of zeros elsewhere. */
    private Path templateMemory() throws IOException {
        Path file = dir.resolve("memory");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(filled(4096, (byte) 7)), 0);
            out.write(ByteBuffer.wrap(new byte[1 << 20]), 1 << 20);
            out.write(ByteBuffer.wrap(filled(4096, (byte) 9)), 5L << 20);
            out.truncate(8L << 20);
            out.write(ByteBuffer.wrap(new byte[1]), (8L << 20) - 1);
        }
        return file;
    }

    @Test
    void theCopyReadsAsTheFileDoes() throws IOException {
        Path file = templateMemory();
        try (SealedMemory copy = SealedMemory.copyOf(file, "test")) {
            assertThat(copy.size()).isEqualTo(Files.size(file));
            assertThat(Files.readAllBytes(copy.path())).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void nobodyCanWriteTheCopyThoughItOpensForWriting() throws IOException {
        try (SealedMemory copy = SealedMemory.copyOf(templateMemory(), "test")) {
            assertThat(copy.seals()).isEqualTo(SealedMemory.ALL_SEALS);
            try (FileChannel writable = FileChannel.open(copy.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertThatThrownBy(() -> writable.write(ByteBuffer.wrap(new byte[] {1}), 0)).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> writable.truncate(0)).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> writable.map(FileChannel.MapMode.READ_WRITE, 0, 4096)).isInstanceOf(IOException.class);
            }
            assertThat(Files.readAllBytes(copy.path())[0]).isEqualTo((byte) 7);
        }
    }

    @Test
    void aPrivateMappingMayBeWrittenWithoutChangingTheCopy() throws IOException {
        try (SealedMemory copy = SealedMemory.copyOf(templateMemory(), "test")) {
            try (FileChannel writable = FileChannel.open(copy.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer ram = writable.map(FileChannel.MapMode.PRIVATE, 0, copy.size());
                assertThat(ram.get(0)).isEqualTo((byte) 7);
                ram.put(0, (byte) 42);
                assertThat(ram.get(0)).isEqualTo((byte) 42);
            }
            assertThat(Files.readAllBytes(copy.path())[0]).isEqualTo((byte) 7);
        }
    }

    @Test
    void aClosedCopyIsGoneFromItsPath() throws IOException {
        SealedMemory copy = SealedMemory.copyOf(templateMemory(), "closed-copy-check");
        Path path = copy.path();
        assertThat(Files.readSymbolicLink(path).toString()).startsWith("/memfd:closed-copy-check");
        copy.close();
        copy.close();
        // The descriptor's number may name another file since; never this copy.
        assertThat(Files.isSymbolicLink(path) && Files.readSymbolicLink(path).toString().startsWith("/memfd:closed-copy-check"))
                .isFalse();
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
