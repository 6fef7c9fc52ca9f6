package io.wrenn.hostagent.vm;

import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandFailedException;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.qmp.QmpClient;
import io.wrenn.hostagent.qmp.QmpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link VirtualMachines} with {@code qemu-system-x86_64} as the agent's child, QMP and signals;
 * each QEMU jailed ({@link QemuJail}) in a cgroup of its own ({@link QemuCgroups}), named after
 * the directory of its QMP socket (its sandbox's id), so stopping it finds the group again, in
 * this agent or the next.
 */
public final class QemuVirtualMachines implements VirtualMachines {

    private static final Logger LOG = LoggerFactory.getLogger(QemuVirtualMachines.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final CommandRunner commands;
    private final QemuCgroups cgroups;
    private final TemplateMemories templateMemories = new TemplateMemories();
    /** The emulator's version line, asked once. */
    private volatile String qemuVersion;
    /** The kernel image last hashed, and the size and time it had then. */
    private volatile KernelHash kernelHash;

    private record KernelHash(Path path, long size, java.nio.file.attribute.FileTime modified, String sha256) {
    }

    public QemuVirtualMachines(CommandRunner commands) {
        this(commands, QemuCgroups.forThisHost());
    }

    public QemuVirtualMachines(CommandRunner commands, QemuCgroups cgroups) {
        this.commands = commands;
        this.cgroups = cgroups;
    }

    /** The name of the cgroup of the QEMU with this QMP socket. */
    /** Cgroups empty for this long belong to no QEMU about to start (one joins its group within a second). */
    private static final java.time.Duration ABANDONED_CGROUP_AGE = java.time.Duration.ofMinutes(5);

    @Override
    public void sweepLeftovers() {
        cgroups.sweepAbandoned(ABANDONED_CGROUP_AGE);
    }

    /** The cgroups (by name) of QEMUs to run in the background. */
    private final java.util.Set<String> background = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void runInBackground(Path qmpSocket) {
        background.add(cgroupName(qmpSocket));
    }

    /**
     * The sealed copies of template memories are closed: a QEMU that runs has mapped its own, and
     * no other starts from this agent. Without it every agent of a long-lived JVM (tests start
     * dozens) would hold each template's memory to the end.
     */
    @Override
    public void close() {
        templateMemories.close();
    }

    @Override
    public void releaseUnused() {
        templateMemories.retireOld();
    }

    static String cgroupName(Path qmpSocket) {
        return qmpSocket.toAbsolutePath().getParent().getFileName().toString();
    }

    @Override
    public VmBuild build(Path kernel) {
        if (qemuVersion == null) {
            String out = commands.run(QemuCommandLine.QEMU, "--version").output().strip();
            qemuVersion = out.lines().findFirst().orElse(out);
        }
        return new VmBuild(qemuVersion, QemuCommandLine.MACHINE, kernelSha256(kernel));
    }

    /** The kernel's SHA-256, hashed again only when the file changed. */
    private String kernelSha256(Path kernel) {
        try {
            long size = Files.size(kernel);
            java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(kernel);
            KernelHash known = kernelHash;
            if (known != null && known.path().equals(kernel) && known.size() == size && known.modified().equals(modified)) {
                return known.sha256();
            }
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            try (var in = new java.security.DigestInputStream(Files.newInputStream(kernel), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String sha256 = java.util.HexFormat.of().formatHex(digest.digest());
            kernelHash = new KernelHash(kernel, size, modified, sha256);
            return sha256;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long start(VmSpec spec) {
        spec.jail().prepare();
        if (spec.memoryShared()) {
            reserveMemoryFile(spec);
        }
        String cgroup = cgroupName(spec.qmpSocket());
        // A template's RAM is mapped from its sealed copy, which the VM cannot write (see TemplateMemories).
        VmSpec launched = spec.memoryShared() ? spec : spec.withMemoryFile(templateMemories.sealedCopyOf(spec.memoryFile()));
        List<String> argv = QemuCommandLine.build(launched, cgroups.create(cgroup, spec.vcpus(), spec.memoryMb(), spec.accelerator(),
                background.contains(cgroup)));
        ProcessHandle qemu;
        try {
            qemu = commands.spawn(Command.of(argv).withOutputFile(spec.qemuLog()));
        } catch (RuntimeException e) {
            cgroups.remove(cgroup);
            throw e;
        }
        // QEMU opens its QMP socket once the machine is set up; an argument error ends it first.
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(spec.qmpSocket())) {
            if (!qemu.isAlive()) {
                cgroups.remove(cgroup);
                throw new CommandFailedException(argv, "QEMU exited while starting", null);
            }
            if (System.nanoTime() > deadline) {
                qemu.destroyForcibly();
                qemu.onExit().join();
                cgroups.remove(cgroup);
                throw new CommandFailedException(argv, "QEMU did not set up within " + START_TIMEOUT, null);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                qemu.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new CommandFailedException(argv, "interrupted while starting", e);
            }
        }
        return qemu.pid();
    }

    /**
     * A guest's own RAM is a shared mapping of a file on the host's disk, sparse until the guest
     * touches a page. Were the disk full when it does, the kernel would kill QEMU (SIGBUS) and the
     * guest with everything in it; with the file's blocks reserved first, a full disk can only
     * refuse this start, with the disk's own error, and never kill a running guest.
     */
    private void reserveMemoryFile(VmSpec spec) {
        try {
            if (!io.wrenn.hostagent.os.SparseFiles.allocate(spec.memoryFile(), (long) spec.memoryMb() << 20) && !unreservedSaid) {
                unreservedSaid = true;
                LOG.warn("the file system of {} cannot reserve blocks ahead: a guest's RAM file stays sparse, and a full disk "
                        + "kills a running guest", spec.memoryFile().getParent());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    private volatile boolean unreservedSaid;

    @Override
    public boolean isRunning(long pid, Path qmpSocket) {
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        try {
            // A zombie or a recycled PID has an empty or different command line.
            String text = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
            return text.contains("qemu-system") && text.contains(qmpSocket.toString());
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void stop(long pid, Path qmpSocket, Duration grace) {
        try {
            stopProcess(pid, qmpSocket, grace);
        } finally {
            cgroups.remove(cgroupName(qmpSocket));
            background.remove(cgroupName(qmpSocket));
        }
    }

    private void stopProcess(long pid, Path qmpSocket, Duration grace) {
        if (!isRunning(pid, qmpSocket)) {
            return;
        }
        try (QmpClient qmp = QmpClient.connect(qmpSocket, Duration.ofSeconds(1))) {
            qmp.send("quit", null);
            if (waitGone(pid, qmpSocket, grace)) {
                return;
            }
            LOG.warn("QEMU {} still running {} after quit; killing it", pid, grace);
        } catch (QmpException e) {
            LOG.warn("QMP quit failed for QEMU {} ({}); killing it", pid, e.getMessage());
        }
        killProcess(pid, qmpSocket);
    }

    @Override
    public void kill(long pid, Path qmpSocket) {
        try {
            killProcess(pid, qmpSocket);
        } finally {
            cgroups.remove(cgroupName(qmpSocket));
            background.remove(cgroupName(qmpSocket));
        }
    }

    private void killProcess(long pid, Path qmpSocket) {
        if (!isRunning(pid, qmpSocket)) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        handle.ifPresent(ProcessHandle::destroyForcibly);
        if (!waitGone(pid, qmpSocket, Duration.ofSeconds(10))) {
            throw new IllegalStateException("QEMU " + pid + " survived SIGKILL");
        }
    }

    private boolean waitGone(long pid, Path qmpSocket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid, qmpSocket)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isRunning(pid, qmpSocket);
            }
        }
        return true;
    }
}
