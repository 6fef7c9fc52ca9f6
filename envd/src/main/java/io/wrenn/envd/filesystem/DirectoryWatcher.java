package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.User;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Changes under one directory (and, when recursive, under every directory below it, including
 * ones created later), through the JDK's WatchService (inotify on Linux). The JDK reports a
 * rename as a remove plus a create and attribute changes as writes, so those are the event types
 * clients see.
 *
 * <p>The WatchService registers directories from a thread of its own, as root. So every directory
 * is first opened as the watching user (inotify needs the same read permission): only the
 * directories the user may list are watched, the top one included.
 */
final class DirectoryWatcher implements AutoCloseable {
    /** One change: the path relative to the watched directory, its type, and its absolute path. */
    record Event(String name, String type, Path path) {
    }

    private final Path root;
    private final boolean recursive;
    private final FileAccess access;
    private final User user;
    private final WatchService service;

    /** Watches {@code root} for {@code user}; fails as the user would when the user may not list it. */
    DirectoryWatcher(Path root, boolean recursive, FileAccess access, User user) throws IOException {
        this.root = root;
        this.recursive = recursive;
        this.access = access;
        this.user = user;
        List<Path> directories = access.as(user, () -> readableDirectories(root, recursive));
        this.service = root.getFileSystem().newWatchService();
        try {
            for (Path dir : directories) {
                register(dir);
            }
        } catch (IOException e) {
            service.close();
            throw e;
        }
    }

    /**
     * Run as the user: {@code top} (and, when recursive, the directories below it) that the user
     * can open for reading. Failing to open {@code top} is an error; a directory below it that the
     * user cannot open is left out.
     */
    private static List<Path> readableDirectories(Path top, boolean recursive) throws IOException {
        if (!Files.readAttributes(top, BasicFileAttributes.class).isDirectory()) {
            throw ConnectException.invalidArgument("path " + top + " is not a directory");
        }
        if (!recursive) {
            try (var ignored = Files.newDirectoryStream(top)) {
                return List.of(top);
            }
        }
        var readable = new ArrayList<Path>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                readable.add(dir); // the walk opened it: the user may read it
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (file.equals(top)) {
                    throw exc;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return readable;
    }

    private void register(Path dir) throws IOException {
        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    /** The changes that arrive within {@code waitMillis} (empty when none do). */
    List<Event> poll(long waitMillis) throws InterruptedException {
        var events = new ArrayList<Event>();
        WatchKey key;
        try {
            key = service.poll(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ClosedWatchServiceException e) {
            return events;
        }
        while (key != null) {
            Path dir = (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    continue;
                }
                Path path = dir.resolve((Path) event.context());
                String type = switch (event.kind().name()) {
                    case "ENTRY_CREATE" -> "EVENT_TYPE_CREATE";
                    case "ENTRY_DELETE" -> "EVENT_TYPE_REMOVE";
                    default -> "EVENT_TYPE_WRITE";
                };
                events.add(new Event(root.relativize(path).toString(), type, path));
                if (recursive && type.equals("EVENT_TYPE_CREATE") && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        for (Path added : access.as(user, () -> readableDirectories(path, true))) {
                            register(added);
                        }
                    } catch (IOException | ConnectException e) {
                        // Removed again before we could watch it, or the user may not read it.
                    }
                }
            }
            key.reset();
            key = service.poll();
        }
        return events;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            // nothing to release any more
        }
    }
}
