package io.wrenn.hostagent.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removing a directory tree, for every clean-up of the host agent (sandboxes, templates, warm snapshots). */
public final class DirectoryTrees {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryTrees.class);

    private DirectoryTrees() {
    }

    /** Removes {@code dir} and everything below it; a failure is logged, not thrown (clean-up goes on). */
    public static void deleteRecursively(Path dir) {
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
}
