package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.net.NetworkSlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a paused sandbox back with exactly its latest pause: the generation must match and the
 * files their checksums; then a new namespace, QEMU on the same memory loading the saved state,
 * and envd's {@code /init}. A resume that fails leaves the sandbox paused as it was.
 */
final class Resumer {

    private static final Logger LOG = LoggerFactory.getLogger(Resumer.class);

    private final SandboxHost host;
    private final LiveSandboxes live;
    private final SandboxResources resources;
    private final GuestStart guestStart;

    Resumer(SandboxHost host, LiveSandboxes live, SandboxResources resources, GuestStart guestStart) {
        this.host = host;
        this.live = live;
        this.resources = resources;
        this.guestStart = guestStart;
    }

    /** See {@link SandboxManager#resume(String, long, int)}. */
    Sandbox resume(String sandboxId, long expectedGeneration, int timeoutS) {
        host.refuseWhenClosing();
        Sandbox sandbox = live.known(sandboxId);
        sandbox.lock.lock();
        try {
            live.requireState(sandbox, Sandbox.State.PAUSED, "resumed");
            resumeLocked(sandbox, expectedGeneration, SandboxHost.expiry(host.clock.millis(), timeoutS));
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** The resume itself; the caller holds the sandbox's lock and has checked that it is paused. */
    void resumeLocked(Sandbox sandbox, long expectedGeneration, long expiresAt) {
        String id = sandbox.id();
        StepTimes times = new StepTimes();
        Path pauseDir = host.layout.sandboxPauseDir(id);
        Path memory = host.layout.sandboxMemory(id);
        PauseState pause = PauseState.read(pauseDir);
        long latest = sandbox.record().pauseGeneration();
        if (pause == null) {
            throw new SandboxException(SandboxException.Kind.DATA_LOSS, "the sandbox's saved state is missing");
        }
        if (pause.generation() != latest || (expectedGeneration != 0 && expectedGeneration != latest)) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "the host holds pause generation "
                    + pause.generation() + " but generation " + (expectedGeneration != 0 ? expectedGeneration : latest)
                    + " was expected");
        }
        host.requireLoadable(pause.vm(), "the paused sandbox");
        String problem = pause.verify(pauseDir, memory);
        if (problem != null) {
            throw new SandboxException(SandboxException.Kind.DATA_LOSS, problem);
        }
        host.setPhase(sandbox, Sandbox.State.RESUMING);
        times.step("verify");
        Undo undo = new Undo();
        try {
            NetworkSlot slot = resources.prepareNetwork(id, sandbox.record().spec().network(), undo);
            sandbox.record(sandbox.record().withSlot(slot.number()));
            host.store.write(sandbox.record());
            times.step("network");
            if (!pause.ignoreShared()) {
                // The RAM is in the stream: it is loaded into a fresh memory file of the sandbox's own.
                Files.deleteIfExists(memory);
            }
            GuestConnection envd = resources.connectGuest(sandbox, undo);
            undo.add("kill VM", () -> host.vms.kill(sandbox.pid(), host.layout.sandboxQmpSocket(id)));
            host.crashPoint("resume.loading");
            SandboxRecord record = sandbox.record();
            guestStart.startIncoming(sandbox, guestStart.vmSpec(record, memory, true, pauseDir.resolve(PauseState.STATE)),
                    pause.ignoreShared(), host.bootPolicy.deadline(), times,
                    guestStart.initProbe(envd, record, record.envdAccessToken()));
        } catch (RuntimeException | IOException e) {
            undo.runAll();
            sandbox.pid(0);
            sandbox.record(sandbox.record().withSlot(0).withPhase(Sandbox.State.PAUSED));
            host.store.write(sandbox.record());
            sandbox.state(Sandbox.State.PAUSED);
            LOG.warn("sandbox {}: resume failed; it stays paused: {}", id, e.toString());
            throw e instanceof SandboxException s ? s : Creator.asSandboxException(new RuntimeException(e));
        }
        FileTrees.deleteRecursively(pauseDir);
        sandbox.record(sandbox.record().withOwnMemory(true).withExpiresAtMs(expiresAt).withPhase(Sandbox.State.RUNNING));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        times.step("record");
        LOG.info("sandbox {} resumed (generation {}, {} ms: {})", id, pause.generation(), times.totalMs(), times);
    }
}
