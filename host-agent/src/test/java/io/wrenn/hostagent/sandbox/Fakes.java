package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.disk.DiskImages;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandResult;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.vm.VirtualMachines;
import io.wrenn.hostagent.vm.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Hand-written stand-ins for the Linux seams, recording what was asked of them. */
final class Fakes {

    private Fakes() {
    }

    /** Every program fails: callers must cope (the template catalog falls back to file sizes). */
    static final class FailingCommands implements CommandRunner {
        @Override
        public CommandResult runUnchecked(Command command) {
            return new CommandResult(1, "fake");
        }

        @Override
        public ProcessHandle spawn(Command command) {
            throw new io.wrenn.hostagent.os.CommandFailedException(command.argv(), "fake", null);
        }
    }

    static final class Network implements SandboxNetwork {
        final List<String> created = new CopyOnWriteArrayList<>();
        final List<String> deleted = new CopyOnWriteArrayList<>();
        final Set<String> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void create(String namespace, NetworkSlot slot) {
            created.add(namespace + "@" + slot.number());
            live.add(namespace);
        }

        @Override
        public void delete(String namespace, NetworkSlot slot) {
            deleted.add(namespace);
            live.remove(namespace);
        }

        @Override
        public List<String> listNamespaces() {
            return new ArrayList<>(live);
        }

        /**
         * Slots a real agent on this machine holds count as taken, as they do for the real
         * network: a fake guest must never share an address with a real one, whose envd would
         * answer in its place.
         */
        @Override
        public boolean hostVethExists(int slotNumber) {
            return Files.exists(Path.of("/sys/class/net", "wrh" + slotNumber));
        }

        @Override
        public List<Long> pidsIn(String namespace) {
            return List.of();
        }

        @Override
        public long ageMillis(String namespace) {
            return Long.MAX_VALUE;
        }
    }

    static final class Disks implements DiskImages {
        final List<Path> overlays = new CopyOnWriteArrayList<>();

        @Override
        public void createOverlay(Path base, Path overlay, long sizeMb) {
            overlays.add(overlay);
            try {
                Files.writeString(overlay, "overlay of " + base + " " + sizeMb + "M");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void flatten(Path overlay, Path target) {
            copySparse(overlay, target);
        }

        @Override
        public void copySparse(Path source, Path target) {
            try {
                Files.copy(source, target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final class Vms implements VirtualMachines {
        final AtomicLong nextPid = new AtomicLong(4_000_000);
        final Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<Long> killed = new CopyOnWriteArrayList<>();
        volatile RuntimeException failStart;

        @Override
        public long start(VmSpec spec) {
            if (failStart != null) {
                throw failStart;
            }
            long pid = nextPid.incrementAndGet();
            running.add(pid);
            try {
                Files.writeString(spec.pidFile(), Long.toString(pid));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return pid;
        }

        @Override
        public boolean isRunning(long pid, Path qmpSocket) {
            return running.contains(pid);
        }

        @Override
        public void stop(long pid, Path qmpSocket, java.time.Duration grace) {
            kill(pid, qmpSocket);
        }

        @Override
        public void kill(long pid, Path qmpSocket) {
            if (running.remove(pid)) {
                killed.add(pid);
            }
        }
    }
}
