package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.json.JsonObject;
import io.wrenn.envd.user.User;
import io.wrenn.envd.user.UserResolver;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
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

/**
 * The unary methods of {@code filesystem.Filesystem}: Stat, ListDir, MakeDir, Move, Remove. Paths
 * are resolved for the calling user (relative to its home, {@code ~} expanded); what MakeDir and
 * Move create belongs to that user.
 */
public final class FilesystemRpcs {
    private final UserResolver users;
    private final EntryInfos entries;

    public FilesystemRpcs(UserResolver users) {
        this.users = users;
        this.entries = new EntryInfos(users.directory());
    }

    private User caller(CallContext context) {
        return users.resolve(context.basicAuthUser());
    }

    private Path path(JsonObject request, String field, User user) {
        return users.resolvePath(request.string(field, ""), user);
    }

    public Object stat(CallContext context, JsonObject request) {
        Path path = path(request, "path", caller(context));
        requireExists(path);
        return Map.of("entry", entry(path, path));
    }

    public Object listDir(CallContext context, JsonObject request) {
        Path requested = path(request, "path", caller(context));
        int depth = request.integer("depth").orElse(0L).intValue();
        if (depth <= 0) {
            depth = 1;
        }
        requireExists(requested);
        Path root;
        try {
            root = requested.toRealPath();
        } catch (IOException e) {
            throw translate(e, requested);
        }
        if (!Files.isDirectory(root)) {
            throw ConnectException.invalidArgument("path " + requested + " is not a directory");
        }
        List<Object> list = new ArrayList<>();
        try {
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
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE; // vanished or unreadable meanwhile: skip it
                }

                private void add(Path p) {
                    try {
                        list.add(entries.of(p, requested.resolve(root.relativize(p))));
                    } catch (IOException e) {
                        // vanished meanwhile
                    }
                }
            });
        } catch (IOException e) {
            throw translate(e, requested);
        }
        return Map.of("entries", list);
    }

    public Object makeDir(CallContext context, JsonObject request) {
        User user = caller(context);
        Path path = path(request, "path", user);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isDirectory(path)) {
                throw new ConnectException(Code.ALREADY_EXISTS, "directory " + path + " already exists");
            }
            throw ConnectException.invalidArgument("path " + path + " already exists and is not a directory");
        }
        try {
            Ownership.ensureDirectories(path, user);
        } catch (IOException e) {
            throw translate(e, path);
        }
        return Map.of("entry", entry(path, path));
    }

    public Object move(CallContext context, JsonObject request) {
        User user = caller(context);
        Path source = path(request, "source", user);
        Path destination = path(request, "destination", user);
        requireExists(source);
        try {
            if (destination.getParent() != null) {
                Ownership.ensureDirectories(destination.getParent(), user);
            }
            try {
                // rename(2): atomic, replaces an existing file or empty directory.
                Files.move(source, destination, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(source, destination, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw translate(e, source);
        }
        return Map.of("entry", entry(destination, destination));
    }

    public Object remove(CallContext context, JsonObject request) {
        Path path = path(request, "path", caller(context));
        requireExists(path);
        try {
            deleteRecursively(path);
        } catch (IOException e) {
            throw translate(e, path);
        }
        return Map.of();
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
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } else {
            Files.deleteIfExists(path);
        }
    }

    private Map<String, Object> entry(Path path, Path shown) {
        try {
            return entries.of(path, shown);
        } catch (IOException e) {
            throw translate(e, path);
        }
    }

    private static void requireExists(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw ConnectException.notFound("path " + path + " does not exist");
        }
    }

    static ConnectException translate(IOException e, Path path) {
        return switch (e) {
            case NoSuchFileException n -> ConnectException.notFound("path " + n.getFile() + " does not exist");
            case AccessDeniedException a -> new ConnectException(Code.PERMISSION_DENIED, "permission denied: " + a.getFile());
            case DirectoryNotEmptyException d -> new ConnectException(Code.FAILED_PRECONDITION, "directory " + d.getFile() + " is not empty");
            case FileSystemException f when f.getReason() != null && f.getReason().contains("No space left") ->
                    new ConnectException(Code.RESOURCE_EXHAUSTED, "no space left on device");
            default -> ConnectException.internal("cannot access " + path + ": " + e.getMessage(), e);
        };
    }
}
