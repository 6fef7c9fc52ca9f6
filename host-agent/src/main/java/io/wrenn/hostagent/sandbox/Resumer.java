package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.vm.VmSpec;
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
    private final ColdBooter coldBooter;

    Resumer(SandboxHost host, LiveSandboxes live, SandboxResources resources, GuestStart guestStart, ColdBooter coldBooter) {
        this.host = host;
        this.live = live;
        this.resources = resources;
        this.guestStart = guestStart;
        this.coldBooter = coldBooter;
    }

    /** See {@link SandboxManager#resume(String, long, int, boolean, String)}. */
    Sandbox resume(String sandboxId, long expectedGeneration, int timeoutS, boolean reboot, String newToken) {
        if (newToken != null && !newToken.isEmpty() && !Creator.ACCESS_TOKEN.matcher(newToken).matches()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "envd_access_token must be 32 to 128 characters [A-Za-z0-9_-]");
        }
        host.refuseWhenClosing();
        Sandbox sandbox = live.known(sandboxId);
        sandbox.lock.lock();
        try {
            live.requireState(sandbox, Sandbox.State.PAUSED, "resumed");
            resumeLocked(sandbox, expectedGeneration, SandboxHost.expiry(host.clock.millis(), timeoutS), reboot,
                    newToken == null || newToken.isEmpty() ? null : newToken);
            // The timeout counts from when the sandbox runs again, not from the call: a resume
            // (a boot above all) may take longer than a short timeout.
            sandbox.record(sandbox.record().withExpiresAtMs(SandboxHost.expiry(host.clock.millis(), timeoutS)));
            host.store.write(sandbox.record());
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** The resume itself; the caller holds the sandbox's lock and has checked that it is paused. */
    void resumeLocked(Sandbox sandbox, long expectedGeneration, long expiresAt) {
        resumeLocked(sandbox, expectedGeneration, expiresAt, false, null);
    }

    /**
     * As {@link #resumeLocked(Sandbox, long, long)}; a pause that kept only the disk, or any pause
     * when {@code reboot}, is resumed by booting the disk: files kept, processes gone. With
     * {@code newToken} (null: keep) envd's {@code /init} gives the guest that access token,
     * authenticated with the one it held when paused; the record takes it only once the resume
     * succeeded, so a failed resume leaves the record naming the token the saved guest holds.
     */
    void resumeLocked(Sandbox sandbox, long expectedGeneration, long expiresAt, boolean reboot, String newToken) {
        String id = sandbox.id();
        String token = newToken != null ? newToken : sandbox.record().envdAccessToken();
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
        boolean boot = reboot || pause.diskOnly();
        if (boot && !pause.diskOnly()) {
            // The memory is given up now, whatever the boot's outcome: a boot that fails leaves a
            // pause of the disk only, never a memory pause whose RAM file was replaced.
            pause = PauseState.diskOnly(pause.generation(), pause.vm());
            pause.write(pauseDir);
        }
        if (!boot) {
            host.requireLoadable(pause.vm(), "the paused sandbox");
            String problem = pause.verify(pauseDir, memory);
            if (problem != null) {
                throw new SandboxException(SandboxException.Kind.DATA_LOSS, problem);
            }
        }
        host.setPhase(sandbox, Sandbox.State.RESUMING);
        times.step("verify");
        Undo undo = new Undo();
        try {
            NetworkSlot slot = resources.prepareNetwork(id, sandbox.record().spec().network(), undo);
            sandbox.record(sandbox.record().withSlot(slot.number()));
            host.store.write(sandbox.record());
            times.step("network");
            if (boot) {
                bootDisk(sandbox, memory, undo, token);
                times.step("boot");
            } else {
                load(sandbox, pause, memory, pauseDir, undo, times, token);
            }
        } catch (RuntimeException | IOException e) {
            undo.runAll();
            sandbox.pid(0);
            sandbox.record(sandbox.record().withSlot(0).withPhase(Sandbox.State.PAUSED));
            host.store.write(sandbox.record());
            sandbox.state(Sandbox.State.PAUSED);
            LOG.warn("sandbox {}: resume failed; it stays paused: {}", id, e.toString());
            throw e instanceof SandboxException s ? s : Creator.asSandboxException(new RuntimeException(e));
        }
        DirectoryTrees.deleteRecursively(pauseDir);
        sandbox.record(sandbox.record().withOwnMemory(true).withExpiresAtMs(expiresAt).withEnvdAccessToken(token)
                .withPhase(Sandbox.State.RUNNING));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        times.step("record");
        LOG.info("sandbox {} resumed{} (generation {}, {} ms: {})", id, boot ? " by booting its disk" : "",
                pause.generation(), times.totalMs(), times);
    }

    /** QEMU on the sandbox's memory loading the saved state, then envd's {@code /init} as the probe. */
    private void load(Sandbox sandbox, PauseState pause, Path memory, Path pauseDir, Undo undo, StepTimes times,
            String token) throws IOException {
        String id = sandbox.id();
        if (!pause.ignoreShared()) {
            // The RAM is in the stream: it is loaded into a fresh memory file of the sandbox's own.
            Files.deleteIfExists(memory);
        }
        GuestConnection envd = resources.connectGuest(sandbox, undo, token);
        undo.add("kill VM", () -> host.vms.kill(sandbox.pid(), host.layout.sandboxQmpSocket(id)));
        host.crashPoint("resume.loading");
        SandboxRecord record = sandbox.record();
        guestStart.startIncoming(sandbox, guestStart.vmSpec(record, memory, true, pauseDir.resolve(PauseState.STATE)),
                pause.ignoreShared(), host.bootPolicy.deadline(), times,
                guestStart.initProbe(envd, record, record.envdAccessToken()));
    }

    /**
     * The kept disk booted under the create's watchdog on fresh RAM, then envd's {@code /init}
     * (environment, user, workdir, clock, entropy) as after a create.
     */
    private void bootDisk(Sandbox sandbox, Path memory, Undo undo, String token) throws IOException {
        String id = sandbox.id();
        Files.deleteIfExists(memory);
        undo.add("kill VM", () -> host.vms.kill(sandbox.pid(), host.layout.sandboxQmpSocket(id)));
        host.crashPoint("resume.loading");
        SandboxRecord record = sandbox.record();
        VmSpec vm = guestStart.vmSpec(record, memory, true, null);
        GuestConnection envd = coldBooter.bootKeptDisk(sandbox, vm, undo, host.bootPolicy, token);
        guestStart.initBooted(sandbox, vm, envd, record, token, host.bootPolicy.deadline());
    }
}
