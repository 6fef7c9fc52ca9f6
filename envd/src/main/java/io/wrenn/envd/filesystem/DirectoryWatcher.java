package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.linux.Libc;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.User;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Changes under one directory (and, when recursive, under every directory below it, including
 * ones created later), through inotify. A rename shows as a remove plus a create and attribute
 * changes as writes, so those are the event types clients see.
 *
 * <p>Bound directly (not through the JDK's WatchService) because the JDK adds watches from a
 * thread of its own, as root: here every watch is added with the watching user's filesystem
 * identity ({@link FileAccess}), so the kernel checks that the user may read each directory, at
 * the moment it is watched (no check-then-watch race a symlink could slip into). A directory the
 * user may not read is not watched: the top one is an error, one below it is left out.
 *
 * <p>A platform thread of envd's own (root) reads the events into a queue and adds watches for
 * directories created later; {@link #poll} takes from that queue.
 */
final class DirectoryWatcher implements AutoCloseable {
    /** One change: the path relative to the watched directory, its type, and its absolute path. */
    record Event(String name, String type, Path path) {
    }

    private static final int IN_MODIFY = 0x2;
    private static final int IN_ATTRIB = 0x4;
    private static final int IN_MOVED_FROM = 0x40;
    private static final int IN_MOVED_TO = 0x80;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE = 0x200;
    private static final int IN_IGNORED = 0x8000;
    private static final int IN_ONLYDIR = 0x01000000;
    private static final int IN_ISDIR = 0x40000000;
    private static final int MASK = IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_MODIFY | IN_ATTRIB | IN_ONLYDIR;
    /** Events read but not yet taken; beyond this the newest are dropped (the kernel's own queue holds 16 384). */
    private static final int MAX_QUEUED = 65_536;
    /** How long the reader waits before it looks whether the watcher was closed. */
    private static final int READ_WAIT_MILLIS = 1000;

    private final Path root;
    private final boolean recursive;
    private final FileAccess access;
    private final User user;
    private final int fd;
    private final Map<Integer, Path> directories = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>(MAX_QUEUED);
    private volatile boolean closed;

    /** Watches {@code root} for {@code user}; fails as the user would when the user may not read it. */
    DirectoryWatcher(Path root, boolean recursive, FileAccess access, User user) throws IOException {
        this.root = root;
        this.recursive = recursive;
        this.access = access;
        this.user = user;
        this.fd = Libc.inotifyInit();
        try {
            access.as(user, () -> watch(root, true));
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        Thread.ofPlatform().daemon(true).name("envd-watch").start(this::readEvents);
    }

    /**
     * Run as the user: watches {@code top} and, when recursive, every directory below it the
     * user can read. Failing on {@code top} is an error only when {@code topMustWork}.
     */
    private Void watch(Path top, boolean topMustWork) throws IOException {
        try {
            add(top);
        } catch (IOException | ConnectException e) {
            if (topMustWork) {
                throw e;
            }
            return null;
        }
        if (!recursive) {
            return null;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(top)) {
                    return FileVisitResult.CONTINUE;
                }
                try {
                    add(dir);
                    return FileVisitResult.CONTINUE;
                } catch (IOException | ConnectException e) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE; // the user cannot read it, or it is gone
            }
        });
        return null;
    }

    private void add(Path dir) throws IOException {
        try {
            directories.put(Libc.inotifyAddWatch(fd, dir.toString(), MASK), dir);
        } catch (Libc.ErrnoException e) {
            if (e.errno() == Libc.ENOTDIR) {
                throw ConnectException.invalidArgument("path " + dir + " is not a directory");
            }
            throw switch (e.errno()) {
                case Libc.EACCES -> new AccessDeniedException(dir.toString());
                case Libc.ENOENT -> new NoSuchFileException(dir.toString());
                default -> new FileSystemException(dir.toString(), null, e.getMessage());
            };
        }
    }

    private void readEvents() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64 * 1024, 8);
            MemorySegment state = Libc.callState(arena);
            while (!closed) {
                if (Libc.awaitReadable(fd, READ_WAIT_MILLIS) && !closed) {
                    parse(buffer, Libc.read(fd, buffer, state));
                }
            }
        } catch (Libc.ErrnoException | RuntimeException e) {
            closed = true; // the instance is broken; the client sees no more events
        } finally {
            Libc.close(fd);
        }
    }

    /** Parses {@code struct inotify_event}s: int wd, uint32 mask, uint32 cookie, uint32 len, char name[len]. */
    private void parse(MemorySegment buffer, int length) {
        int offset = 0;
        while (offset + 16 <= length) {
            int wd = buffer.get(ValueLayout.JAVA_INT, offset);
            int mask = buffer.get(ValueLayout.JAVA_INT, offset + 4);
            int nameLength = buffer.get(ValueLayout.JAVA_INT, offset + 12);
            String name = nameLength > 0 ? buffer.getString(offset + 16) : "";
            offset += 16 + nameLength;
            if ((mask & IN_IGNORED) != 0) {
                directories.remove(wd);
                continue;
            }
            Path dir = directories.get(wd);
            if (dir == null || name.isEmpty()) {
                continue; // overflow, or an event of the directory itself
            }
            Path path = dir.resolve(name);
            String type;
            if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
                type = "EVENT_TYPE_CREATE";
            } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
                type = "EVENT_TYPE_REMOVE";
            } else {
                type = "EVENT_TYPE_WRITE";
            }
            events.offer(new Event(root.relativize(path).toString(), type, path));
            if (recursive && type.equals("EVENT_TYPE_CREATE") && (mask & IN_ISDIR) != 0) {
                try {
                    access.as(user, () -> watch(path, false));
                } catch (IOException | RuntimeException e) {
                    // Removed again before we could watch it.
                }
            }
        }
    }

    /** The changes that arrive within {@code waitMillis} (empty when none do). */
    List<Event> poll(long waitMillis) throws InterruptedException {
        var out = new ArrayList<Event>();
        Event first = waitMillis > 0 ? events.poll(waitMillis, TimeUnit.MILLISECONDS) : events.poll();
        if (first != null) {
            out.add(first);
            events.drainTo(out);
        }
        return out;
    }

    /** Stops watching; the reader thread closes the inotify instance within a second. */
    @Override
    public void close() {
        closed = true;
    }
}
