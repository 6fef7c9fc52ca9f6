package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.ConnectException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;

/**
 * Creates the directories a request needs (MakeDir, the parents of an upload or a move target).
 * It runs with the requesting user's filesystem identity ({@link io.wrenn.envd.user.FileAccess}),
 * so the kernel decides whether each may be created and makes it the user's.
 */
public final class Directories {
    private Directories() {
    }

    /** Creates {@code dir} and its missing parents; a failure (e.g. permission denied) propagates. */
    public static void createMissing(Path dir) throws IOException {
        var missing = new ArrayList<Path>();
        for (Path p = dir; p != null; p = p.getParent()) {
            try {
                Files.readAttributes(p, BasicFileAttributes.class);
                break;
            } catch (NoSuchFileException e) {
                missing.addFirst(p);
            }
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                // Created concurrently, or something else is in the way; the check below tells.
            }
        }
        if (!Files.readAttributes(dir, BasicFileAttributes.class).isDirectory()) {
            throw ConnectException.invalidArgument("path " + dir + " exists and is not a directory");
        }
    }
}
