package io.wrenn.hostagent.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cgroup per QEMU under Wrenn's own ({@code wrenn}): CPU and I/O weights by its size, so a
 * busy sandbox gets its share and no more when the host is contended, and a memory ceiling a
 * margin above its guest RAM, so an emulator that runs away is stopped before the host is.
 *
 * <p>On a unified (v2) hierarchy at {@code /sys/fs/cgroup}: {@code cpu.weight}, {@code io.weight},
 * {@code memory.max}. On a v1 hierarchy (as on hosts whose cgroup2 mount carries no controllers):
 * {@code cpu.shares}, {@code blkio.weight} where the I/O scheduler offers it, and
 * {@code memory.limit_in_bytes}. A host where neither can be written runs QEMU without one (logged).
 */
public final class QemuCgroups {

    private static final Logger LOG = LoggerFactory.getLogger(QemuCgroups.class);
    /** Wrenn's group, under which each QEMU's is named after its sandbox. */
    static final String SLICE = "wrenn";
    /**
     * Above guest RAM: QEMU's own memory. Under TCG its translation buffer may grow to 1 GiB
     * (QEMU's default size); under KVM there is none.
     */
    static final long TCG_MARGIN = 1L << 30;
    static final long KVM_MARGIN = 256L << 20;

    /**
     * The weight of Wrenn's group itself, the largest there is: before there were cgroups each
     * QEMU thread weighed as much as any task of the host, and grouping the VMs must not make
     * them all together weigh as little as one.
     */
    static final int V1_MAX_SHARES = 262_144;

    /** A background QEMU's CPU weight is its size's divided by this. */
    static final int BACKGROUND_DIVISOR = 4;

    private final Path root;

    public QemuCgroups(Path root) {
        this.root = root;
    }

    /** The host's cgroup file systems. */
    public static QemuCgroups forThisHost() {
        return new QemuCgroups(Path.of("/sys/fs/cgroup"));
    }

    /**
     * Creates the cgroup of the QEMU named {@code name} with its weights and ceiling; returns the
     * {@code cgroup.procs} files its process must join (none when the host offers no cgroups).
     */
    public List<Path> create(String name, int vcpus, int memoryMb, Accelerator accelerator) {
        return create(name, vcpus, memoryMb, accelerator, false);
    }

    /**
     * As {@link #create(String, int, int, Accelerator)}; a {@code background} QEMU (work nobody
     * waits for) weighs a quarter of a sandbox of its size, so that it slows no sandbox people use
     * while the host is busy, and runs at full speed while it is not.
     */
    public List<Path> create(String name, int vcpus, int memoryMb, Accelerator accelerator, boolean background) {
        int divisor = background ? BACKGROUND_DIVISOR : 1;
        long memoryMax = ((long) memoryMb << 20) + (accelerator == Accelerator.TCG ? TCG_MARGIN : KVM_MARGIN);
        try {
            if (unified()) {
                Path slice = root.resolve(SLICE);
                enableControllers(root);
                Files.createDirectories(slice);
                writeIfPresent(slice, "cpu.weight", "10000");
                enableControllers(slice);
                Path group = Files.createDirectories(slice.resolve(name));
                write(group, "cpu.weight", Integer.toString(Math.max(1, Math.min(10_000, 100 * vcpus) / divisor)));
                writeIfPresent(group, "io.weight", "default 100");
                write(group, "memory.max", Long.toString(memoryMax));
                return List.of(group.resolve("cgroup.procs"));
            }
            List<Path> procs = new ArrayList<>();
            for (Map.Entry<String, List<String[]>> controller : v1Settings(vcpus, memoryMax, divisor).entrySet()) {
                Path hierarchy = root.resolve(controller.getKey());
                if (!Files.isRegularFile(hierarchy.resolve("cgroup.procs"))) {
                    continue;
                }
                Path slice = Files.createDirectories(hierarchy.resolve(SLICE));
                if (controller.getKey().equals("cpu")) {
                    writeIfPresent(slice, "cpu.shares", Integer.toString(V1_MAX_SHARES));
                }
                Path group = Files.createDirectories(slice.resolve(name));
                for (String[] setting : controller.getValue()) {
                    writeIfPresent(group, setting[0], setting[1]);
                }
                procs.add(group.resolve("cgroup.procs"));
            }
            return procs;
        } catch (IOException | RuntimeException e) {
            LOG.warn("QEMU {} runs without a cgroup of its own: {}", name, e.toString());
            remove(name);
            return List.of();
        }
    }

    /** Removes the cgroups of the QEMU named {@code name} once its process is gone; absent ones are fine. */
    public void remove(String name) {
        for (Path group : groups(name)) {
            if (!Files.isDirectory(group)) {
                continue;
            }
            // An exiting process leaves its cgroup a moment after it is reaped.
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.deleteIfExists(group);
                    break;
                } catch (IOException e) {
                    if (attempt >= 50) {
                        LOG.warn("cannot remove the cgroup {}: {}", group, e.toString());
                        break;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * Removes the groups under Wrenn's that no process is in and that are older than {@code age}:
     * those of QEMUs whose agent was killed before it could remove them (the agent's own clean-up
     * covers the rest). A young empty group is left alone, as another agent of this machine may
     * have just made it for a QEMU about to join; one with a process in it the kernel refuses to
     * remove anyway. Returns how many were removed.
     */
    public int sweepAbandoned(java.time.Duration age) {
        java.time.Instant before = java.time.Instant.now().minus(age);
        int removed = 0;
        for (Path slice : slices()) {
            if (!Files.isDirectory(slice)) {
                continue;
            }
            try (var groups = Files.list(slice)) {
                for (Path group : groups.filter(Files::isDirectory).toList()) {
                    try {
                        if (processesIn(group).isBlank()
                                && Files.getLastModifiedTime(group).toInstant().isBefore(before)) {
                            Files.delete(group);
                            removed++;
                        }
                    } catch (IOException inUseOrGone) {
                        // joined or removed meanwhile: not abandoned, or not ours to remove any more
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot look for abandoned cgroups in {}: {}", slice, e.toString());
            }
        }
        if (removed > 0) {
            LOG.info("removed {} abandoned QEMU cgroups", removed);
        }
        return removed;
    }

    /** The pids in a group, one per line; none when the file is gone (a group being removed). */
    private static String processesIn(Path group) throws IOException {
        try {
            return Files.readString(group.resolve("cgroup.procs"));
        } catch (java.nio.file.NoSuchFileException gone) {
            return "";
        }
    }

    /** The directories of the QEMU named {@code name}, existing or not. */
    public List<Path> groups(String name) {
        return slices().stream().map(slice -> slice.resolve(name)).toList();
    }

    /** Wrenn's group in each hierarchy: the unified one, or one per v1 controller. */
    private List<Path> slices() {
        if (unified()) {
            return List.of(root.resolve(SLICE));
        }
        return v1Settings(1, 0, 1).keySet().stream().map(c -> root.resolve(c).resolve(SLICE)).toList();
    }

    private boolean unified() {
        return Files.isRegularFile(root.resolve("cgroup.controllers"));
    }

    private static Map<String, List<String[]>> v1Settings(int vcpus, long memoryMax, int divisor) {
        return Map.of(
                "cpu", List.<String[]>of(new String[] {"cpu.shares", Integer.toString(Math.max(2, 1024 * vcpus / divisor))}),
                "memory", List.<String[]>of(new String[] {"memory.limit_in_bytes", Long.toString(memoryMax)}),
                "blkio", List.<String[]>of(new String[] {"blkio.weight", "100"}));
    }

    private static void enableControllers(Path group) throws IOException {
        String available = Files.readString(group.resolve("cgroup.controllers"));
        StringBuilder wanted = new StringBuilder();
        for (String controller : List.of("cpu", "io", "memory")) {
            if ((" " + available.strip() + " ").contains(" " + controller + " ")) {
                wanted.append('+').append(controller).append(' ');
            }
        }
        if (!wanted.isEmpty()) {
            Files.writeString(group.resolve("cgroup.subtree_control"), wanted.toString().strip());
        }
    }

    private static void write(Path group, String file, String value) throws IOException {
        Files.writeString(group.resolve(file), value);
    }

    private static void writeIfPresent(Path group, String file, String value) throws IOException {
        if (Files.exists(group.resolve(file))) {
            write(group, file, value);
        }
    }
}
