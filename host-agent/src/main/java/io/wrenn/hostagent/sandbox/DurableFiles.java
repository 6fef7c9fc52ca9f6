package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * fsync for commits by rename: the files a commit covers, and the directory that holds them,
 * reach the disk before the rename that makes them the current state, and the rename itself
 * reaches it before the caller is told it is done. Without this a power loss after the answer
 * can leave a committed name over files the disk never got.
 */
final class DurableFiles {

    private DurableFiles() {
    }

    /** Forces each existing regular file's data and metadata to the disk. */
    static void sync(Path... files) throws IOException {
        for (Path file : files) {
            if (Files.isRegularFile(file)) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    channel.force(true);
                }
            }
        }
    }

    /** Forces a directory's entries (names created, removed or renamed in it) to the disk. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
