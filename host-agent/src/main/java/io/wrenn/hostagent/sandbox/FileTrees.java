package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading a log's end, for the sandbox jobs' diagnostics (trees are removed by {@link io.wrenn.hostagent.os.DirectoryTrees}). */
final class FileTrees {

    private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

    private FileTrees() {
    }

    /** The end of a log file, for diagnosing a boot that went wrong. */
    static String tail(Path file, int bytes) {
        // Only the end is read: the guest wrote the file, and it may be large.
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(file)) {
            long from = Math.max(0, in.size() - bytes);
            java.nio.ByteBuffer end = java.nio.ByteBuffer.allocate((int) (in.size() - from));
            while (end.hasRemaining() && in.read(end, from + end.position()) > 0) {
                // read on
            }
            return new String(end.array(), 0, end.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no serial log)";
        }
    }
}
