package io.wrenn.hostagent.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real sparse files on the machine's file system (the one sandboxes' RAM files live on). */
class SparseFilesTest {

    @TempDir
    Path dir;

    @Test
    void onlyTheRunsThatHoldDataAreReported() throws Exception {
        Path file = dir.resolve("memory");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[8192]).put(0, (byte) 1), 1 << 20);       // 1 MiB in
            channel.write(ByteBuffer.wrap(new byte[4096]).put(0, (byte) 2), 64L << 20);      // 64 MiB in
            channel.truncate(128L << 20);
        }

        assertThat(SparseFiles.dataRegions(file)).containsExactly(
                new SparseFiles.Region(1 << 20, 8192), new SparseFiles.Region(64L << 20, 4096));
    }

    @Test
    void aFileOfHolesHasNoRegionsAndADenseOneIsOneRegion() throws Exception {
        Path holes = dir.resolve("holes");
        try (FileChannel channel = FileChannel.open(holes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.truncate(16L << 20);
        }
        Path dense = dir.resolve("dense");
        java.nio.file.Files.write(dense, new byte[100_000]);

        assertThat(SparseFiles.dataRegions(holes)).isEmpty();
        assertThat(SparseFiles.dataRegions(dense)).containsExactly(new SparseFiles.Region(0, 100_000));
    }

    @Test
    void allocatingGivesTheFileItsBlocksAndKeepsWhatItHolds() throws Exception {
        Path file = dir.resolve("memory");
        Files.write(file, "kept".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long length = 8L << 20;

        boolean allocated = SparseFiles.allocate(file, length);

        org.junit.jupiter.api.Assumptions.assumeTrue(allocated, "this file system cannot reserve blocks ahead");
        assertThat(Files.size(file)).isEqualTo(length);
        assertThat(new String(Files.readAllBytes(file), 0, 4, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("kept");
        // Blocks of 512 bytes, as stat(1) counts them: all of the file is on disk.
        Process stat = new ProcessBuilder("stat", "--format=%b", file.toString()).start();
        long blocks = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim());
        assertThat(blocks * 512).isGreaterThanOrEqualTo(length);
        assertThat(SparseFiles.allocate(dir.resolve("fresh"), length)).isTrue();
        assertThat(Files.size(dir.resolve("fresh"))).isEqualTo(length);
    }
}
