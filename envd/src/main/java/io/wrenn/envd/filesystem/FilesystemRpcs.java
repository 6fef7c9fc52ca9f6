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
import java.util.EnumSet;
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

    private List<Object> list(Path requested, int depth) throws IOException {
        Path root = requested.toRealPath();
        if (!Files.isDirectory(root)) {
            throw ConnectException.invalidArgument("path " + requested + " is not a directory");
        }
        List<Object> list = new ArrayList<>();
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), depth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (file.equals(root)) {
                    throw exc; // the directory itself cannot be read (e.g. permission denied)
                }
                return FileVisitResult.CONTINUE; // vanished or unreadable below it: skip it
            }

            private void add(Path p) {
                try {
                    list.add(entries.of(p, requested.resolve(root.relativize(p))));
                } catch (IOException e) {
                    // vanished meanwhile
                }
            }
        });
        return list;
    }

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
        return asUser(user, path, () -> {
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
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
