package io.wrenn.sdk.testing;

import io.wrenn.sdk.FileEntry;
import io.wrenn.sdk.FileEvent;
import io.wrenn.sdk.FileWatch;
import io.wrenn.sdk.Filesystem;
import io.wrenn.sdk.WrennException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** The files of a {@link FakeSandbox} as one user; every call takes the fake's lock. */
final class FakeFilesystem implements Filesystem {
    private final FakeSandbox sandbox;
    private final String user;

    FakeFilesystem(FakeSandbox sandbox, String user) {
        this.sandbox = sandbox;
        this.user = user;
    }

    @Override
    public Filesystem as(String otherUser) {
        return new FakeFilesystem(sandbox, otherUser);
    }

    private FakeDisk disk() {
        return sandbox.runningDisk();
    }

    @Override
    public byte[] read(String path) {
        synchronized (sandbox.lock()) {
            return disk().read(FakeDisk.normalise(path));
        }
    }

    @Override
    public String readString(String path) {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    @Override
    public InputStream readStream(String path) {
        return new ByteArrayInputStream(read(path));
    }

    @Override
    public long download(String path, Path to) {
        byte[] bytes = read(path);
        try {
            Files.write(to, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.length;
    }

    @Override
    public long write(String path, byte[] bytes) {
        synchronized (sandbox.lock()) {
            disk().write(FakeDisk.normalise(path), bytes, user);
        }
        return bytes.length;
    }

    @Override
    public long write(String path, String text) {
        return write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long write(String path, InputStream bytes) {
        try {
            return write(path, bytes.readAllBytes());
        } catch (IOException e) {
            throw new WrennException.ConnectionException("reading the stream to write: " + e, e);
        }
    }

    @Override
    public long upload(Path from, String path) {
        try {
            return write(path, Files.readAllBytes(from));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<FileEntry> list(String path) {
        return list(path, 1);
    }

    @Override
    public List<FileEntry> list(String path, int depth) {
        if (depth < 1 || depth > 32) {
            throw new WrennException.InvalidRequestException("invalid_request", 400, "depth must be 1 to 32");
        }
        synchronized (sandbox.lock()) {
            return disk().list(FakeDisk.normalise(path), depth);
        }
    }

    @Override
    public FileEntry stat(String path) {
        synchronized (sandbox.lock()) {
            return disk().stat(FakeDisk.normalise(path));
        }
    }

    @Override
    public boolean exists(String path) {
        try {
            stat(path);
            return true;
        } catch (WrennException.NotFoundException e) {
            return false;
        }
    }

    @Override
    public FileEntry mkdir(String path) {
        String normalised = FakeDisk.normalise(path);
        synchronized (sandbox.lock()) {
            if (existsLocked(normalised)) {
                throw new WrennException.ConflictException("conflict", 409, "the path exists");
            }
            disk().makeDirectories(normalised, user);
            return disk().stat(normalised);
        }
    }

    private boolean existsLocked(String normalised) {
        try {
            disk().stat(normalised);
            return true;
        } catch (WrennException.NotFoundException e) {
            return false;
        }
    }

    @Override
    public FileEntry move(String source, String destination) {
        String to = FakeDisk.normalise(destination);
        synchronized (sandbox.lock()) {
            disk().move(FakeDisk.normalise(source), to);
            return disk().stat(to);
        }
    }

    @Override
    public void remove(String path) {
        synchronized (sandbox.lock()) {
            disk().remove(FakeDisk.normalise(path));
        }
    }

    @Override
    public FileWatch watch(String path, boolean recursive, Consumer<FileEvent> onEvent) {
        synchronized (sandbox.lock()) {
            FakeDisk disk = disk();
            FakeDisk.Watcher watcher = disk.watch(FakeDisk.normalise(path), recursive, onEvent);
            return new FileWatch() {
                private volatile boolean active = true;

                @Override
                public boolean isActive() {
                    return active;
                }

                @Override
                public void close() {
                    active = false;
                    disk.unwatch(watcher);
                }
            };
        }
    }
}
