package io.wrenn.envd.filesystem;

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
 */
final class DirectoryWatcher implements AutoCloseable {
    /** One change: the path relative to the watched directory, its type, and its absolute path. */
    record Event(String name, String type, Path path) {
    }

    private final Path root;
    private final boolean recursive;
    private final WatchService service;

    DirectoryWatcher(Path root, boolean recursive) throws IOException {
        this.root = root;
        this.recursive = recursive;
        this.service = root.getFileSystem().newWatchService();
        try {
            if (recursive) {
                registerTree(root);
            } else {
                register(root);
            }
        } catch (IOException e) {
            service.close();
            throw e;
        }
    }

    private void register(Path dir) throws IOException {
        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    private void registerTree(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                register(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
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
                        registerTree(path);
                    } catch (IOException e) {
                        // Removed again before we could watch it.
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
