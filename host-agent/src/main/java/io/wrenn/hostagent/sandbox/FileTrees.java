package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two file chores of the sandbox jobs: removing a directory tree and reading a log's end. */
final class FileTrees {

    private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

    private FileTrees() {
    }

    /** Removes {@code dir} and everything below it; a failure is logged, not thrown (clean-up goes on). */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.toString());
        }
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
