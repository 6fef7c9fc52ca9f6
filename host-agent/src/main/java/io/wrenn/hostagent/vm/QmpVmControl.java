package io.wrenn.hostagent.vm;

import io.wrenn.hostagent.qmp.QmpClient;
import io.wrenn.hostagent.qmp.QmpException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@link VmControl} over each VM's QMP socket (one short connection per command). Saving and
 * loading a VM's state is QEMU migration. QEMU runs jailed ({@link QemuJail}: no files by name,
 * no spawning, and QEMU 7.2 has no {@code file:} URI): a save streams into a Unix socket in its
 * jail that {@link StateReceiver} writes to the target file; a load reads the descriptor
 * {@link QemuCommandLine#INCOMING_FD} that QEMU was started with.
 *
 * <p>Two formats. With {@code x-ignore-shared} (both sides must agree) RAM that QEMU maps
 * shared from a file is not written: the file already is the RAM, and the state is ~60 KB.
 * Without it every RAM page goes into the stream (a VM whose RAM is a private mapping).
 */
public final class QmpVmControl implements VmControl {

    private static final Duration COMMAND = Duration.ofSeconds(10);
    /** How long a save or a load may take (a full RAM stream of a large VM on a busy disk). */
    private final Duration transfer;

    /** @param transfer the longest a save or a load may take: {@link io.wrenn.hostagent.protocol.Deadlines#stateTransfer()} */
    public QmpVmControl(Duration transfer) {
        this.transfer = transfer;
    }

    @Override
    public void stop(Path qmpSocket) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            qmp.execute("stop", null, COMMAND);
        }
    }

    @Override
    public void cont(Path qmpSocket) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            qmp.execute("cont", null, COMMAND);
        }
    }

    @Override
    public RunState status(Path qmpSocket) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            return RunState.ofQmp(qmp.execute("query-status", null, COMMAND).path("status").asString(""));
        }
    }

    @Override
    public void cancelSave(Path qmpSocket) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            qmp.execute("migrate_cancel", null, COMMAND);
        }
    }

    @Override
    public void save(Path qmpSocket, Path target, boolean ignoreShared) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            capabilities(qmp, ignoreShared);
            Path socket = QemuJail.rootBeside(qmpSocket).resolve(QemuJail.MIGRATION_SOCKET);
            try (StateReceiver receiver = StateReceiver.listen(socket, target)) {
                long start = System.nanoTime();
                // The path as QEMU sees it from inside its chroot.
                qmp.execute("migrate", Map.of("uri", "unix:/" + QemuJail.MIGRATION_SOCKET), COMMAND);
                awaitOutgoing(qmp, transfer);
                receiver.await(transfer.minusNanos(System.nanoTime() - start).plus(COMMAND));
            } catch (IllegalStateException e) {
                throw new QmpException(e.getMessage(), e);
            }
        }
    }

    @Override
    public void load(Path qmpSocket, Path source, boolean ignoreShared) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            capabilities(qmp, ignoreShared);
            // source was opened before QEMU started (VmSpec.incomingState): QEMU reads it by descriptor.
            qmp.execute("migrate-incoming", Map.of("uri", "fd:" + QemuCommandLine.INCOMING_FD), COMMAND);
            long deadline = System.nanoTime() + transfer.toNanos();
            while (true) {
                String status = qmp.execute("query-status", null, COMMAND).path("status").asString("");
                if (!status.equals("inmigrate")) {
                    String migration = qmp.execute("query-migrate", null, COMMAND).path("status").asString("");
                    if (!migration.equals("completed")) {
                        throw new QmpException("loading the saved state failed (" + migration + ")");
                    }
                    return;
                }
                pause(deadline, transfer, "loading the saved state");
            }
        }
    }

    @Override
    public void resizeDisk(Path qmpSocket, long bytes) {
        try (QmpClient qmp = QmpClient.connect(qmpSocket, COMMAND)) {
            qmp.execute("block_resize", Map.of("device", "root", "size", bytes), COMMAND);
        }
    }

    private static void capabilities(QmpClient qmp, boolean ignoreShared) {
        // Set both ways explicitly: capabilities survive an incoming migration, and a stream
        // written with the wrong one cannot be loaded.
        qmp.execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "x-ignore-shared", "state", ignoreShared))), COMMAND);
    }

    private static void awaitOutgoing(QmpClient qmp, Duration transfer) {
        long deadline = System.nanoTime() + transfer.toNanos();
        while (true) {
            JsonNode info = qmp.execute("query-migrate", null, COMMAND);
            String status = info.path("status").asString("");
            switch (status) {
                case "completed" -> {
                    return;
                }
                case "failed", "cancelled" -> throw new QmpException("saving the VM's state failed: "
                        + info.path("error-desc").asString(status));
                default -> pause(deadline, transfer, "saving the VM's state");
            }
        }
    }

    private static void pause(long deadline, Duration transfer, String what) {
        if (System.nanoTime() > deadline) {
            throw new QmpException(what + " took longer than " + transfer);
        }
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while " + what, e);
        }
    }
}
