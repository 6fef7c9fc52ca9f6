package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a running sandbox and frees its VM, namespace and RAM. The phase is written before
 * each step; the saved state is committed by renaming its directory, so an agent that dies
 * at any step either finds a complete pause (and finishes it) or none (and runs the VM on).
 */
final class Pauser {

    private static final Logger LOG = LoggerFactory.getLogger(Pauser.class);

    private final SandboxHost host;
    private final LiveSandboxes live;
    private final SandboxResources resources;

    Pauser(SandboxHost host, LiveSandboxes live, SandboxResources resources) {
        this.host = host;
        this.live = live;
        this.resources = resources;
    }

    /** See {@link SandboxManager#pause(String, boolean)}. */
    Sandbox pause(String sandboxId, boolean keepMemory) {
        Sandbox sandbox = live.known(sandboxId);
        sandbox.lock.lock();
        try {
            live.requireState(sandbox, Sandbox.State.RUNNING, "paused");
            if (keepMemory) {
                pauseLocked(sandbox);
            } else {
                pauseDiskOnlyLocked(sandbox);
            }
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** An empty staging directory for a new pause, and no committed one left from an earlier pause. */
    private static void emptyStaging(Path staging, Path committed) {
        DirectoryTrees.deleteRecursively(staging);
        DirectoryTrees.deleteRecursively(committed);
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the pause", e);
        }
    }

    /** The pause itself; the caller holds the sandbox's lock and has checked that it runs. */
    void pauseLocked(Sandbox sandbox) {
        String id = sandbox.id();
        Path qmp = host.qmpSocket(sandbox);
        Path staging = host.layout.sandboxPauseStaging(id);
        Path committed = host.layout.sandboxPauseDir(id);
        long generation = sandbox.record().pauseGeneration() + 1;
        boolean ignoreShared = sandbox.record().ownMemory();
        long t0 = System.nanoTime();
        emptyStaging(staging, committed);
        host.setPhase(sandbox, Sandbox.State.PAUSING);
        host.crashPoint("pause.saving");
        try {
            host.vmControl.stop(qmp);
            host.vmControl.save(qmp, staging.resolve(PauseState.STATE), ignoreShared);
            PauseState.describe(generation, ignoreShared, staging, host.layout.sandboxMemory(id), host.vmBuild()).write(staging);
            // Durable before it is committed: the device state, the RAM file and the disk the
            // manifest stands for, then the staging directory's entries; after the rename, the
            // parent's entry, so an answered pause survives a power loss.
            DurableFiles.sync(staging.resolve(PauseState.STATE), host.layout.sandboxMemory(id), host.layout.sandboxOverlay(id));
            DurableFiles.syncDirectory(staging);
            host.crashPoint("pause.saved");
            Files.move(staging, committed, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(committed.getParent());
        } catch (RuntimeException | IOException e) {
            // Read before the partial state goes: its bytes are what filled the disk.
            boolean diskFull = DiskFull.caused(staging, e);
            // Not committed: the guest must not stay frozen while the sandbox is reported running.
            LOG.warn("sandbox {}: pause failed, running it on: {}", id, e.toString());
            try {
                host.vmControl.cont(qmp);
            } catch (RuntimeException again) {
                LOG.warn("sandbox {}: could not run it on after a failed pause: {}", id, again.toString());
            }
            DirectoryTrees.deleteRecursively(staging);
            host.setPhase(sandbox, Sandbox.State.RUNNING);
            if (diskFull) {
                throw DiskFull.exception("the sandbox could not be paused and runs on", e);
            }
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the sandbox could not be paused", e);
        }
        host.crashPoint("pause.committed");
        finishPause(sandbox, generation);
        LOG.info("sandbox {} paused (generation {}, {} ms)", id, generation, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * A pause that keeps only the disk: the guest flushes its page cache, its vCPUs stop (QEMU
     * writes out its own disk caches when it stops a VM), the overlay is made durable and the pause
     * committed with a manifest that says so; then the VM ends and its RAM file is deleted. The
     * resume boots the disk. As a memory pause, a failure before the commit runs the VM on.
     */
    void pauseDiskOnlyLocked(Sandbox sandbox) {
        String id = sandbox.id();
        Path qmp = host.qmpSocket(sandbox);
        Path staging = host.layout.sandboxPauseStaging(id);
        Path committed = host.layout.sandboxPauseDir(id);
        long generation = sandbox.record().pauseGeneration() + 1;
        long t0 = System.nanoTime();
        // Before anything changes: a guest that cannot flush is left running as it was.
        ImageMaker.syncGuest(sandbox);
        emptyStaging(staging, committed);
        host.setPhase(sandbox, Sandbox.State.PAUSING);
        host.crashPoint("pause.saving");
        try {
            host.vmControl.stop(qmp);
            PauseState.diskOnly(generation, host.vmBuild()).write(staging);
            DurableFiles.sync(host.layout.sandboxOverlay(id));
            DurableFiles.syncDirectory(staging);
            host.crashPoint("pause.saved");
            Files.move(staging, committed, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(committed.getParent());
        } catch (RuntimeException | IOException e) {
            LOG.warn("sandbox {}: disk-only pause failed, running it on: {}", id, e.toString());
            try {
                host.vmControl.cont(qmp);
            } catch (RuntimeException again) {
                LOG.warn("sandbox {}: could not run it on after a failed pause: {}", id, again.toString());
            }
            DirectoryTrees.deleteRecursively(staging);
            host.setPhase(sandbox, Sandbox.State.RUNNING);
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the sandbox could not be paused", e);
        }
        host.crashPoint("pause.committed");
        finishPause(sandbox, generation);
        LOG.info("sandbox {} paused keeping its disk only (generation {}, {} ms)", id, generation,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * After the commit (by this agent or one that died after it): the VM and its network go; the
     * record says paused. A pause that kept only the disk frees the RAM file's space too.
     */
    void finishPause(Sandbox sandbox, long generation) {
        resources.releaseVmAndNetwork(sandbox);
        PauseState committed = PauseState.read(host.layout.sandboxPauseDir(sandbox.id()));
        if (committed != null && committed.diskOnly()) {
            try {
                Files.deleteIfExists(host.layout.sandboxMemory(sandbox.id()));
            } catch (IOException e) {
                LOG.warn("sandbox {}: could not delete its memory file: {}", sandbox.id(), e.toString());
            }
        }
        sandbox.pid(0);
        sandbox.record(sandbox.record().withSlot(0).withPauseGeneration(generation).withPhase(Sandbox.State.PAUSED));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.PAUSED);
    }
}
