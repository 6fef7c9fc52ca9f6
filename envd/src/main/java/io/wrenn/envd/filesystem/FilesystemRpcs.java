package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.json.JsonObject;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.User;
import io.wrenn.envd.user.UserResolver;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The unary methods of {@code filesystem.Filesystem}: Stat, ListDir, MakeDir, Move, Remove. Paths
 * are resolved for the calling user (relative to its home, {@code ~} expanded), and each method
 * runs with that user's filesystem identity ({@link FileAccess}): the kernel decides what the user
 * may see and change, and what MakeDir and Move create belongs to the user.
 */
public final class FilesystemRpcs {
    private final UserResolver users;
    private final FileAccess access;
    private final EntryInfos entries;

    public FilesystemRpcs(UserResolver users, FileAccess access) {
        this.users = users;
        this.access = access;
        this.entries = new EntryInfos(users.directory());
    }

    private User caller(CallContext context) {
        return users.resolve(context.basicAuthUser());
    }

    private Path path(JsonObject request, String field, User user) {
        return users.resolvePath(request.string(field, ""), user);
    }

    /** Runs {@code operation} as {@code user}; a failure becomes its Connect error. */
    private Object asUser(User user, Path path, FileAccess.Operation<Object> operation) {
        try {
            return access.as(user, operation);
        } catch (IOException e) {
            throw FileErrors.translate(e, path);
        }
    }

    public Object stat(CallContext context, JsonObject request) {
        User user = caller(context);
        Path path = path(request, "path", user);
        return asUser(user, path, () -> Map.of("entry", entries.of(path, path)));
    }

    public Object listDir(CallContext context, JsonObject request) {
        User user = caller(context);
        Path requested = path(request, "path", user);
        int depth = Math.max(request.integer("depth").orElse(0L).intValue(), 0);
        return asUser(user, requested, () -> Map.of("entries", list(requested, depth == 0 ? 1 : depth)));
    }

    /**
     * The entries under {@code requested} down to {@code depth} levels, as envd lists them: depth
     * first, each directory's entries in lexical order of their names (byte order), a directory
     * right before what is in it; symlinks are listed, not followed.
     */
    private List<Object> list(Path requested, int depth) throws IOException {
        Path root = requested.toRealPath();
        if (!Files.isDirectory(root)) {
            throw ConnectException.invalidArgument("path " + requested + " is not a directory");
        }
        List<Object> list = new ArrayList<>();
        walk(root, root, requested, depth, list);
        return list;
    }

    private void walk(Path dir, Path root, Path requested, int levelsLeft, List<Object> list) throws IOException {
        List<Path> children;
        try (var stream = Files.list(dir)) {
            children = new ArrayList<>(stream.toList());
        } catch (IOException e) {
            if (dir.equals(root)) {
                throw e; // the directory itself cannot be read (e.g. permission denied)
            }
            return; // vanished or unreadable below it: skip it
        }
        children.sort(BY_NAME_BYTES);
        for (Path child : children) {
            try {
                list.add(entries.of(child, requested.resolve(root.relativize(child))));
            } catch (IOException e) {
                continue; // vanished meanwhile
            }
            if (levelsLeft > 1 && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                walk(child, root, requested, levelsLeft - 1, list);
            }
        }
    }

    /** Names compared as their UTF-8 bytes, unsigned: the order of envd's own listing. */
    private static final java.util.Comparator<Path> BY_NAME_BYTES = (a, b) -> java.util.Arrays.compareUnsigned(
            a.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
            b.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));

    public Object makeDir(CallContext context, JsonObject request) {
        User user = caller(context);
        Path path = path(request, "path", user);
        return asUser(user, path, () -> {
            if (lstat(path).isPresent()) {
                if (Files.isDirectory(path)) {
                    throw new ConnectException(Code.ALREADY_EXISTS, "directory " + path + " already exists");
                }
                throw ConnectException.invalidArgument("path " + path + " already exists and is not a directory");
            }
            Directories.createMissing(path);
            return Map.of("entry", entries.of(path, path));
        });
    }

    public Object move(CallContext context, JsonObject request) {
        User user = caller(context);
        Path source = path(request, "source", user);
        Path destination = path(request, "destination", user);
        return asUser(user, source, () -> {
            Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (destination.getParent() != null) {
                Directories.createMissing(destination.getParent());
            }
            try {
                // rename(2): atomic, replaces an existing file or empty directory.
                Files.move(source, destination, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(source, destination, StandardCopyOption.REPLACE_EXISTING);
            }
            return Map.of("entry", entries.of(destination, destination));
        });
    }

    public Object remove(CallContext context, JsonObject request) {
        User user = caller(context);
        Path path = path(request, "path", user);
        // As envd: removing what is not there succeeds (nothing to remove).
        return asUser(user, path, () -> {
            deleteRecursively(path);
            return Map.of();
        });
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } else {
            Files.deleteIfExists(path);
        }
    }

    /** The path's own attributes (a symlink is not followed), empty when nothing is there. */
    private static Optional<BasicFileAttributes> lstat(Path path) throws IOException {
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
