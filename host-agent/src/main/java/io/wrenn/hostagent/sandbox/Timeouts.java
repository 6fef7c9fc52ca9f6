package io.wrenn.hostagent.sandbox;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandbox timeouts: moving a running sandbox's expiry, and the reaper's pass that destroys (or
 * pauses, as the sandbox asked) the expired ones and cleans up those whose VM died.
 */
final class Timeouts {

    private static final Logger LOG = LoggerFactory.getLogger(Timeouts.class);

    private final SandboxHost host;
    private final LiveSandboxes live;
    private final Pauser pauser;
    private final Destroyer destroyer;

    Timeouts(SandboxHost host, LiveSandboxes live, Pauser pauser, Destroyer destroyer) {
        this.host = host;
        this.live = live;
        this.pauser = pauser;
        this.destroyer = destroyer;
    }

    /** See {@link SandboxManager#setTimeout(String, int)}. */
    Sandbox setTimeout(String sandboxId, int timeoutS) {
        if (timeoutS < 0) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "timeout_s out of range");
        }
        Sandbox sandbox = live.running(sandboxId);
        sandbox.lock.lock();
        try {
            if (sandbox.state() != Sandbox.State.RUNNING) {
                throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is not running");
            }
            SandboxRecord updated = sandbox.record().withExpiresAtMs(SandboxHost.expiry(host.clock.millis(), timeoutS));
            host.store.write(updated);
            sandbox.record(updated);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** See {@link SandboxManager#reap()}. */
    void reap() {
        long now = host.clock.millis();
        for (Sandbox sandbox : List.copyOf(host.sandboxes.values())) {
            if (sandbox.state() != Sandbox.State.RUNNING) {
                continue;
            }
            long expiresAt = sandbox.record().expiresAtMs();
            if (live.isDead(sandbox)) {
                live.cleanUpDeadInBackground(sandbox);
            } else if (expiresAt > 0 && now >= expiresAt) {
                SandboxSpec.OnTimeout action = sandbox.record().spec().onTimeout();
                boolean pause = action != SandboxSpec.OnTimeout.DESTROY;
                LOG.info("sandbox {} timed out; {} it", sandbox.id(), pause ? "pausing" : "destroying");
                try {
                    if (pause) {
                        pauser.pause(sandbox.id(), action == SandboxSpec.OnTimeout.PAUSE);
                    } else {
                        destroyer.destroy(sandbox.id());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not reap sandbox {}: {}", sandbox.id(), e.toString());
                }
            }
        }
    }
}
