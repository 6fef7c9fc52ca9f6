package io.wrenn.hostagent.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's IPv4 forwarding, shared by every host agent on the machine. Each agent holds a
 * lease (a file named {@code <pid>-<uuid>} under {@code holders/}); the first lease remembers the
 * value it found and switches forwarding on, the last one given back restores that value. All
 * under one file lock, so concurrent agents never race, and a lease whose process is gone (an
 * agent killed with -9) is dropped by the next agent that takes or gives one back: forwarding is
 * never switched off under a live agent.
 */
public final class ForwardingLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForwardingLease.class);

    private final Path dir;
    private final Path sysctl;
    private final Path holder;
    private boolean held;

    /**
     * @param dir    shared state, {@code /run/wrenn/forwarding} in production
     * @param sysctl the setting, {@code /proc/sys/net/ipv4/ip_forward} in production
     */
    public ForwardingLease(Path dir, Path sysctl) {
        this.dir = dir;
        this.sysctl = sysctl;
        this.holder = dir.resolve("holders").resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    }

    public static ForwardingLease forThisMachine() {
        return new ForwardingLease(Path.of("/run/wrenn/forwarding"), Path.of("/proc/sys/net/ipv4/ip_forward"));
    }

    /** Takes a lease and makes sure forwarding is on. */
    public synchronized void acquire() {
        if (held) {
            return;
        }
        locked(() -> {
            pruneDeadHolders();
            // An "original" left by leases whose agents died holds the value from before them.
            Path original = dir.resolve("original");
            if (liveHolders() == 0 && !Files.exists(original)) {
                Files.writeString(original, Files.readString(sysctl).strip());
            }
            Files.createFile(holder);
            Files.writeString(sysctl, "1");
        });
        held = true;
    }

    /** Gives the lease back; the last one restores what forwarding was before the first. */
    @Override
    public synchronized void close() {
        if (!held) {
            return;
        }
        locked(() -> {
            Files.deleteIfExists(holder);
            pruneDeadHolders();
            Path original = dir.resolve("original");
            if (liveHolders() == 0 && Files.exists(original)) {
                Files.writeString(sysctl, Files.readString(original).strip());
                Files.delete(original);
                LOG.info("IPv4 forwarding restored to its value before Wrenn");
            }
        });
        held = false;
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private void locked(IoAction action) {
        try {
            Files.createDirectories(dir.resolve("holders"));
            try (FileChannel lock = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    var ignored = lock.lock()) {
                action.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not manage IPv4 forwarding in " + dir, e);
        }
    }

    private long liveHolders() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("holders"))) {
            return files.count();
        }
    }

    private void pruneDeadHolders() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("holders"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                int dash = name.indexOf('-');
                boolean alive = dash > 0 && name.substring(0, dash).matches("\\d+")
                        && ProcessHandle.of(Long.parseLong(name.substring(0, dash))).isPresent();
                if (!alive) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
