package io.wrenn.envd.filesystem;

import io.wrenn.envd.process.ProcessLauncher;
import io.wrenn.envd.user.User;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates directories and files on behalf of a user: whatever envd creates for a request belongs
 * to that request's user, as if the user had created it. Ownership only changes when envd runs as
 * root (otherwise it could not, and everything already belongs to envd's user).
 */
public final class Ownership {
    private static final boolean ROOT = ProcessLauncher.currentUid() == 0;

    private Ownership() {
    }

    /** Creates {@code dir} and any missing parents, each owned by {@code user}; returns the ones created. */
    public static List<Path> ensureDirectories(Path dir, User user) throws IOException {
        var missing = new ArrayList<Path>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        var created = new ArrayList<Path>();
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                created.add(p);
                chown(p, user);
            } catch (FileAlreadyExistsException e) {
                // Created concurrently, or a file is in the way; the next step reports the latter.
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        return created;
    }

    public static void chown(Path path, User user) throws IOException {
        if (!ROOT) {
            return;
        }
        Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    }
}
