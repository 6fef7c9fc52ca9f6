package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console log's bound, with a writer that appends as QEMU does ({@code O_APPEND}, the file
 * kept open across rotations): it never grows past the bound between passes, keeps its newest
 * bytes, and the writer goes on at the start of the emptied file.
 */
class ConsoleLogTest {

    @TempDir
    Path dir;

    @Test
    void aLogOverItsBoundKeepsItsNewestBytesInThePreviousPartAndTheWriterGoesOnAtTheStart() throws IOException {
        Path log = dir.resolve("serial.log");
        try (FileChannel qemu = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            for (int round = 0; round < 5; round++) {
                qemu.write(java.nio.ByteBuffer.wrap(("a".repeat(3000) + "round" + round + "\n").getBytes(StandardCharsets.UTF_8)));
                ConsoleLog.cap(log, 1024);
                assertThat(Files.size(log)).isLessThanOrEqualTo(1024);
                assertThat(Files.size(ConsoleLog.rotated(log))).isEqualTo(1024);
                assertThat(Files.readString(ConsoleLog.rotated(log))).endsWith("round" + round + "\n");
            }
            qemu.write(java.nio.ByteBuffer.wrap("after\n".getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(Files.readString(log)).as("no hole before what came after the rotation").isEqualTo("after\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ConsoleLog.rotated(log)))).isEqualTo("rw-------");
    }

    @Test
    void aLogWithinItsBoundOrMissingIsLeftAlone() throws IOException {
        Path log = dir.resolve("serial.log");
        assertThat(ConsoleLog.cap(log, 1024)).isFalse();
        Files.writeString(log, "boot\n");
        assertThat(ConsoleLog.cap(log, 1024)).isFalse();
        assertThat(Files.readString(log)).isEqualTo("boot\n");
        assertThat(ConsoleLog.rotated(log)).doesNotExist();
    }
}
