package io.wrenn.hostagent.sandbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the sandboxes callers ask for, and notices on the way a running one whose QEMU is gone:
 * it is not handed out, and its clean-up starts in the background.
 */
final class LiveSandboxes {

    private static final Logger LOG = LoggerFactory.getLogger(LiveSandboxes.class);

    private final SandboxHost host;
    private final Destroyer destroyer;
    /** Dead sandboxes whose clean-up is under way. */
    private final java.util.Set<Sandbox> cleaning = java.util.concurrent.ConcurrentHashMap.newKeySet();

    LiveSandboxes(SandboxHost host, Destroyer destroyer) {
        this.host = host;
        this.destroyer = destroyer;
    }

    /** See {@link SandboxManager#list()}. */
    List<Sandbox> list() {
        List<Sandbox> live = new ArrayList<>();
        for (Sandbox sandbox : host.sandboxes.values()) {
            if (isDead(sandbox)) {
                cleanUpDeadInBackground(sandbox);
            } else if (sandbox.state() != Sandbox.State.STOPPED && !cleaning.contains(sandbox)) {
                live.add(sandbox);
            }
        }
        live.sort(Comparator.comparingLong((Sandbox s) -> s.record().startedAtMs()).thenComparing(Sandbox::id));
        return live;
    }

    /** A running sandbox, or NOT_FOUND / FAILED_PRECONDITION. */
    Sandbox running(String sandboxId) {
        Sandbox sandbox = sandboxId == null ? null : host.sandboxes.get(sandboxId);
        if (sandbox == null) {
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        if (isDead(sandbox)) {
            cleanUpDeadInBackground(sandbox);
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        if (sandbox.state() != Sandbox.State.RUNNING) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is not running");
        }
        return sandbox;
    }

    /** A sandbox in any state but stopped, or NOT_FOUND. */
    Sandbox known(String sandboxId) {
        Sandbox sandbox = sandboxId == null ? null : host.sandboxes.get(sandboxId);
        if (sandbox == null || sandbox.state() == Sandbox.State.STOPPED) {
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        return sandbox;
    }

    /** Under the sandbox's lock: it is in state {@code wanted} (and alive), or it cannot be {@code verb}. */
    void requireState(Sandbox sandbox, Sandbox.State wanted, String verb) {
        if (sandbox.state() == Sandbox.State.RUNNING && isDead(sandbox)) {
            cleanUpDeadInBackground(sandbox);
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        if (sandbox.state() != wanted) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is "
                    + sandbox.state().name().toLowerCase(Locale.ROOT) + " and cannot be " + verb);
        }
    }

    /** Running by its state, but its QEMU is gone. */
    boolean isDead(Sandbox sandbox) {
        return sandbox.state() == Sandbox.State.RUNNING && !host.vms.isRunning(sandbox.pid(), host.qmpSocket(sandbox));
    }

    /**
     * Destroys a sandbox whose VM died, in the background (the caller only looks it up), once per
     * sandbox at a time, and under its lock: a job that holds the lock owns its state, so the
     * sandbox is looked at again there before it is marked stopped.
     */
    void cleanUpDeadInBackground(Sandbox sandbox) {
        if (!cleaning.add(sandbox)) {
            return;
        }
        LOG.warn("sandbox {}: its VM (pid {}) is gone; cleaning up", sandbox.id(), sandbox.pid());
        Thread.ofVirtual().name("cleanup-" + sandbox.id()).start(() -> {
            try {
                sandbox.lock.lock();
                try {
                    if (isDead(sandbox)) {
                        destroyer.destroy(sandbox.id());
                    }
                } finally {
                    sandbox.lock.unlock();
                }
            } catch (RuntimeException e) {
                LOG.warn("clean-up of sandbox {} failed: {}", sandbox.id(), e.toString());
            } finally {
                cleaning.remove(sandbox);
            }
        });
    }
}
