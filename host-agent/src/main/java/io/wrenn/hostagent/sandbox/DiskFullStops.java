package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.vm.VmControl;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the guests that QEMU stopped on a full host disk go on once there is room. A guest's disk
 * is a qcow2 overlay that grows as the guest writes; when the filesystem under it has no room,
 * QEMU stops the VM (its default for a write that fails with ENOSPC) instead of failing the
 * guest's write, so nothing the guest wrote is lost. Nothing let it go on afterwards: the sandbox
 * stayed frozen. Each pass asks every idle running VM for its run state, continues those stopped
 * on a write error once their filesystem has {@link #ROOM_BYTES} free again, and logs the others
 * once. A VM whose operation holds its lock (a pause, a snapshot) is left to that operation.
 * Meanwhile the sandbox is marked, so that calls into its guest answer "disk full" at once
 * instead of waiting out their timeouts on a guest that cannot answer.
 */
final class DiskFullStops {

    private static final Logger LOG = LoggerFactory.getLogger(DiskFullStops.class);
    /** Room a stopped guest needs before it goes on: enough for its next writes not to stop it at once. */
    static final long ROOM_BYTES = 64L << 20;

    private final SandboxHost host;
    /** Sandboxes whose stop has been logged, so that a long full disk is said once, not every pass. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    DiskFullStops(SandboxHost host) {
        this.host = host;
    }

    void pass() {
        for (Sandbox sandbox : List.copyOf(host.sandboxes.values())) {
            if (sandbox.state() != Sandbox.State.RUNNING || !sandbox.lock.tryLock()) {
                continue;
            }
            String id = sandbox.id();
            try {
                if (sandbox.state() != Sandbox.State.RUNNING
                        || host.vmControl.status(host.layout.sandboxQmpSocket(id)) != VmControl.RunState.IO_ERROR) {
                    sandbox.stoppedOnFullDisk(false);
                    reported.remove(id);
                    continue;
                }
                sandbox.stoppedOnFullDisk(true);
                long free = Files.getFileStore(host.layout.sandboxDir(id)).getUsableSpace();
                if (free >= ROOM_BYTES) {
                    host.vmControl.cont(host.layout.sandboxQmpSocket(id));
                    sandbox.stoppedOnFullDisk(false);
                    reported.remove(id);
                    LOG.info("sandbox {} goes on: QEMU had stopped it on a full disk, which has room again", id);
                } else if (reported.add(id)) {
                    LOG.warn("sandbox {} is stopped by QEMU: the host's disk is full ({} MiB free); it goes on once "
                            + "{} MiB are free", id, free >> 20, ROOM_BYTES >> 20);
                }
            } catch (IOException | RuntimeException e) {
                // A VM that just exited or is busy with another QMP client: the next pass looks again.
                LOG.debug("could not look at the run state of sandbox {}: {}", id, e.toString());
            } finally {
                sandbox.lock.unlock();
            }
        }
    }
}
