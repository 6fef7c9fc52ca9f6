package io.wrenn.hostagent.sandbox;

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

    /** See {@link SandboxManager#pause(String)}. */
    Sandbox pause(String sandboxId) {
        Sandbox sandbox = live.known(sandboxId);
        sandbox.lock.lock();
        try {
            live.requireState(sandbox, Sandbox.State.RUNNING, "paused");
            pauseLocked(sandbox);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
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
        FileTrees.deleteRecursively(staging);
        FileTrees.deleteRecursively(committed);
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the pause", e);
        }
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
            FileTrees.deleteRecursively(staging);
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

    /** After the commit (by this agent or one that died after it): the VM and its network go; the record says paused. */
    void finishPause(Sandbox sandbox, long generation) {
        resources.releaseVmAndNetwork(sandbox);
        sandbox.pid(0);
        sandbox.record(sandbox.record().withSlot(0).withPauseGeneration(generation).withPhase(Sandbox.State.PAUSED));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.PAUSED);
    }
}
