package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.vm.VmControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the live sandboxes from disk when an agent starts: re-adopts the VMs still running,
 * settles sandboxes the previous agent left mid-pause, mid-resume or mid-snapshot, and removes
 * what nothing refers to any more (dead sandboxes, orphan namespaces, snapshot staging).
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    /** An orphan namespace younger than this may be another agent's create in progress. */
    private static final Duration ORPHAN_MIN_AGE = Duration.ofMinutes(2);

    private final SandboxHost host;
    private final Pauser pauser;
    private final Destroyer destroyer;

    Recovery(SandboxHost host, Pauser pauser, Destroyer destroyer) {
        this.host = host;
        this.pauser = pauser;
        this.destroyer = destroyer;
    }

    /** See {@link SandboxManager#recover()}. */
    void recover() {
        cleanSnapshotStaging();
        Set<String> keptNamespaces = new HashSet<>();
        for (String id : host.store.sandboxIds()) {
            if (Files.exists(host.layout.sandboxWarmPrimerMarker(id))) {
                // A warm snapshot's primer of an agent that died: no sandbox, never re-adopted.
                LOG.info("stopping the warm snapshot primer {} a previous agent left", id);
                try {
                    destroyer.removeResidue(id);
                } catch (RuntimeException e) {
                    LOG.warn("could not remove the warm snapshot primer {}: {}", id, e.toString());
                }
                continue;
            }
            Optional<SandboxRecord> record = host.store.read(id);
            Optional<Long> pid = host.store.qemuPid(id);
            String namespace = SandboxNetwork.namespaceName(id);
            if (record.isPresent() && record.get().bootMs() > 0 && record.get().phaseOrRunning() != Sandbox.State.RUNNING) {
                try {
                    if (recoverTransition(record.get(), pid)) {
                        keptNamespaces.add(namespace);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not recover sandbox {}: {}", id, e.toString());
                }
                continue;
            }
            // bootMs is written only once the guest agent was initialised: a VM from a create that
            // the previous agent did not finish is not a sandbox anyone was promised.
            boolean alive = record.isPresent() && record.get().slot() > 0 && record.get().bootMs() > 0 && pid.isPresent()
                    && host.vms.isRunning(pid.get(), host.layout.sandboxQmpSocket(id))
                    && host.network.listNamespaces().contains(namespace);
            if (alive) {
                runOnIfStopped(id);
                Sandbox sandbox = new Sandbox(record.get(), Sandbox.State.RUNNING);
                sandbox.pid(pid.get());
                host.connectGuest(sandbox);
                host.slots.claim(sandbox.slot());
                host.network.adopt(SandboxNetwork.namespaceName(sandbox.record().spec().sandboxId()), sandbox.slot(),
                    NetworkPolicy.orOpen(sandbox.record().spec().network()));
                host.sandboxes.put(id, sandbox);
                keptNamespaces.add(namespace);
                LOG.info("re-adopted sandbox {} (pid {}, slot {})", id, pid.get(), record.get().slot());
            } else {
                LOG.info("sandbox {} did not survive; cleaning up", id);
                try {
                    destroyer.removeResidue(id);
                } catch (RuntimeException e) {
                    LOG.warn("could not clean up sandbox {}: {}", id, e.toString());
                }
            }
        }
        removeOrphanNamespaces(keptNamespaces);
        host.vms.sweepLeftovers();
    }

    private void removeOrphanNamespaces(Set<String> keptNamespaces) {
        for (String namespace : host.network.listNamespaces()) {
            if (keptNamespaces.contains(namespace)) {
                continue;
            }
            // Another agent on this machine may own it: only a namespace with nothing inside that
            // has existed for a while is an orphan.
            if (host.network.pidsIn(namespace).isEmpty() && host.network.ageMillis(namespace) > ORPHAN_MIN_AGE.toMillis()) {
                LOG.info("removing orphan namespace {}", namespace);
                host.network.delete(namespace, null);
            }
        }
    }

    /**
     * A sandbox whose record says it was pausing, paused or resuming when the previous agent
     * stopped. Never lost: it ends running (its VM lives and no pause was committed, or a resume
     * got as far as running the guest) or paused (a committed pause). Returns whether its
     * namespace stays.
     */
    private boolean recoverTransition(SandboxRecord record, Optional<Long> pid) {
        String id = record.spec().sandboxId();
        Path qmp = host.layout.sandboxQmpSocket(id);
        boolean vmAlive = pid.isPresent() && host.vms.isRunning(pid.get(), qmp);
        PauseState committed = PauseState.read(host.layout.sandboxPauseDir(id));
        DirectoryTrees.deleteRecursively(host.layout.sandboxPauseStaging(id));
        Sandbox sandbox = new Sandbox(record, record.phaseOrRunning());
        pid.ifPresent(sandbox::pid);
        switch (record.phaseOrRunning()) {
            case PAUSING -> {
                if (committed != null && committed.generation() == record.pauseGeneration() + 1) {
                    claimSlot(sandbox);
                    pauser.finishPause(sandbox, committed.generation());
                    host.sandboxes.put(id, sandbox);
                    LOG.info("sandbox {}: finished a pause the previous agent had committed", id);
                    return false;
                }
                if (vmAlive) {
                    runOnIfStopped(id);
                    return adoptRunning(sandbox, record.withPhase(Sandbox.State.RUNNING), pid.get());
                }
            }
            case PAUSED -> {
                if (backToPaused(sandbox, vmAlive, committed)) {
                    LOG.info("re-adopted paused sandbox {} (generation {})", id, record.pauseGeneration());
                    return false;
                }
            }
            case RESUMING -> {
                if (vmAlive && safeStatus(qmp) == VmControl.RunState.RUNNING) {
                    // The guest runs again: its saved state, if still there, is history now.
                    DirectoryTrees.deleteRecursively(host.layout.sandboxPauseDir(id));
                    return adoptRunning(sandbox, record.withPhase(Sandbox.State.RUNNING).withOwnMemory(true), pid.get());
                }
                // Otherwise the guest had not run yet: the saved state is untouched, it is still paused.
                if (backToPaused(sandbox, vmAlive, committed)) {
                    LOG.info("sandbox {}: a resume did not finish; it is paused again", id);
                    return false;
                }
            }
            default -> {
            }
        }
        LOG.warn("sandbox {} ({}) cannot be recovered; cleaning up", id, record.phaseOrRunning());
        destroyer.removeResidue(id);
        return false;
    }

    /**
     * Settles a sandbox as paused from its committed saved state: a VM still there (one that
     * had not run yet) and the namespace go. False when there is no committed state to resume.
     */
    private boolean backToPaused(Sandbox sandbox, boolean vmAlive, PauseState committed) {
        String id = sandbox.id();
        SandboxRecord record = sandbox.record();
        if (vmAlive) {
            host.vms.kill(sandbox.pid(), host.layout.sandboxQmpSocket(id));
        }
        if (record.slot() > 0) {
            host.network.delete(SandboxNetwork.namespaceName(id), new NetworkSlot(record.slot()));
        }
        if (committed == null) {
            return false;
        }
        sandbox.pid(0);
        sandbox.record(record.withSlot(0).withPhase(Sandbox.State.PAUSED));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.PAUSED);
        host.sandboxes.put(id, sandbox);
        return true;
    }

    private boolean adoptRunning(Sandbox sandbox, SandboxRecord record, long pid) {
        String id = record.spec().sandboxId();
        sandbox.record(record);
        sandbox.pid(pid);
        host.store.write(record);
        host.connectGuest(sandbox);
        claimSlot(sandbox);
        sandbox.state(Sandbox.State.RUNNING);
        host.sandboxes.put(id, sandbox);
        LOG.info("re-adopted sandbox {} after an unfinished {} (pid {})", id, sandbox.record().phase(), pid);
        return true;
    }

    private void claimSlot(Sandbox sandbox) {
        if (sandbox.record().slot() > 0) {
            host.slots.claim(sandbox.slot());
            host.network.adopt(SandboxNetwork.namespaceName(sandbox.record().spec().sandboxId()), sandbox.slot(),
                    NetworkPolicy.orOpen(sandbox.record().spec().network()));
        }
    }

    /** A VM left stopped by an agent that died while saving its state (a pause or a snapshot) runs on. */
    private void runOnIfStopped(String id) {
        Path qmp = host.layout.sandboxQmpSocket(id);
        VmControl.RunState status = safeStatus(qmp);
        if (status.leftStopped()) {
            try {
                if (status == VmControl.RunState.FINISH_MIGRATE) {
                    host.vmControl.cancelSave(qmp);
                }
                host.vmControl.cont(qmp);
                LOG.info("sandbox {} was left stopped ({}); running it on", id, status);
            } catch (RuntimeException e) {
                LOG.warn("sandbox {}: could not run it on: {}", id, e.toString());
            }
        }
    }

    private VmControl.RunState safeStatus(Path qmp) {
        try {
            return host.vmControl.status(qmp);
        } catch (RuntimeException e) {
            return VmControl.RunState.OTHER;
        }
    }

    /**
     * Staging directories of snapshots that never finished, and templates half removed: a crash
     * left them; nothing refers to them. A helper QEMU that may still work in one is stopped.
     */
    private void cleanSnapshotStaging() {
        Path staging = host.layout.snapshotStagingDir();
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(staging)) {
            for (Path dir : dirs.toList()) {
                LOG.info("removing unfinished snapshot files {}", dir.getFileName());
                DirectoryTrees.deleteRecursively(dir);
            }
        } catch (IOException e) {
            LOG.warn("could not clean {}: {}", staging, e.toString());
        }
    }
}
