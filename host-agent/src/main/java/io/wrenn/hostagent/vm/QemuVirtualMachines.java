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
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link VirtualMachines} with {@code qemu-system-x86_64 -daemonize}, QMP and signals. */
public final class QemuVirtualMachines implements VirtualMachines {

    private static final Logger LOG = LoggerFactory.getLogger(QemuVirtualMachines.class);

    private final CommandRunner commands;

    public QemuVirtualMachines(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public long start(VmSpec spec) {
        // With -daemonize the foreground QEMU exits once the VM is set up (or failed to be); its
        // output goes to a file because the daemon inherits it and would hold a pipe open forever.
        commands.run(Command.of(QemuCommandLine.build(spec))
                .withOutputFile(spec.qemuLog())
                .withTimeout(Duration.ofSeconds(30)));
        try {
            return Long.parseLong(Files.readString(spec.pidFile()).strip());
        } catch (IOException | NumberFormatException e) {
            throw new CommandFailedException(java.util.List.of("qemu-system-x86_64"), "no pid file after start", e);
        }
    }

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
        kill(pid, qmpSocket);
    }

    @Override
    public void kill(long pid, Path qmpSocket) {
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
