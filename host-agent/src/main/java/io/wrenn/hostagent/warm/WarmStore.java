package io.wrenn.hostagent.warm;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.layout.PrivateDirectories;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm snapshots of this machine, under {@link Layout#warmDir()}: one directory per image,
 * one entry per key. Entries appear whole or not at all: a primer writes a staging directory of
 * the image and renames it into place. Whoever holds the image's lock (one agent of the machine
 * at a time, and never two primers in one JVM) is the only writer of that image's directory:
 * it may remove staging left by a primer that died, and stale entries.
 */
public final class WarmStore {

    private static final Logger LOG = LoggerFactory.getLogger(WarmStore.class);

    private final Layout layout;

    public WarmStore(Layout layout) {
        this.layout = layout;
    }

    /** The complete entry of {@code key}, if there is one. */
    public Optional<Layout.SnapshotFiles> find(WarmKey key) {
        Layout.SnapshotFiles files = layout.warmSnapshotFiles(key.image(), key.name());
        boolean complete = Files.isRegularFile(files.json()) && Files.isRegularFile(files.memory())
                && Files.isRegularFile(files.state()) && Files.isRegularFile(files.disk());
        return complete ? Optional.of(files) : Optional.empty();
    }

    /** The exclusive right to write {@code image}'s warm snapshots, or empty while another holds it. */
    public Optional<Lease> tryLock(String image) throws IOException {
        Path lockFile = layout.warmLock(image);
        PrivateDirectories.create(layout.warmDir());
        PrivateDirectories.create(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return Optional.of(new Lease(image, channel));
            }
        } catch (OverlappingFileLockException e) {
            // Another agent in this JVM holds it (locks are per process).
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.close();
        return Optional.empty();
    }

    /** Held while one agent writes an image's warm snapshots; closing it lets the next one in. */
    public final class Lease implements AutoCloseable {
        private final String image;
        private final FileChannel channel;

        private Lease(String image, FileChannel channel) {
            this.image = image;
            this.channel = channel;
        }

        /** A fresh, private staging directory for the next entry. */
        public Path newStaging() throws IOException {
            return PrivateDirectories.create(layout.warmStaging(image, UUID.randomUUID().toString()));
        }

        /** Removes staging directories of the image: with the lock held, none is being written. */
        public void removeStaging() {
            for (Path dir : children(layout.warmImageDir(image))) {
                if (dir.getFileName().toString().startsWith(Layout.WARM_STAGING_PREFIX)) {
                    LOG.info("removing unfinished warm snapshot files {}", dir);
                    DirectoryTrees.deleteRecursively(dir);
                }
            }
        }

        /**
         * Renames {@code staging} into place as {@code key}'s entry. False when the entry exists
         * already (the staging directory is then removed).
         */
        public boolean promote(Path staging, WarmKey key) throws IOException {
            Path target = layout.warmSnapshotFiles(key.image(), key.name()).dir();
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                // rename(2) onto a directory with files fails with ENOTEMPTY, which the JDK reports
                // as a plain FileSystemException: the entry being there is the answer.
                if (!Files.isDirectory(target)) {
                    throw e;
                }
                DirectoryTrees.deleteRecursively(staging);
                return false;
            }
        }

        /**
         * Removes the entries of the image made from other files than {@code current}'s (the image,
         * kernel or QEMU changed since): no create will ever match them again. Sandboxes restored
         * from one keep running: their disk's base is a link of their own, their memory a sealed
         * copy in their agent.
         */
        public void removeStale(WarmKey current) {
            for (Path dir : children(layout.warmImageDir(image))) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(".") && Files.isDirectory(dir) && !current.sameSource(name)) {
                    LOG.info("removing stale warm snapshot {}/{} (its image, kernel or QEMU changed)", image, name);
                    DirectoryTrees.deleteRecursively(dir);
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close(); // releases the lock
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", dir, e.toString());
            return List.of();
        }
    }
}
