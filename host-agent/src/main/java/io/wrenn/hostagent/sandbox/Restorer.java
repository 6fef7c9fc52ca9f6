package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.guest.ProcessEvent;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.vm.VmSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a sandbox from a snapshot template: a new QEMU maps the template's memory privately
 * (lazy, copy-on-write), loads its device state and runs; a fresh overlay on the template's
 * disk; the same guest address in a new namespace. Then envd learns it was restored: clock,
 * entropy, access token, environment. No watchdog retry: a restore has no kernel boot to hang.
 */
final class Restorer {

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

    private final SandboxHost host;
    private final SandboxResources resources;
    private final GuestStart guestStart;

    Restorer(SandboxHost host, SandboxResources resources, GuestStart guestStart) {
        this.host = host;
        this.resources = resources;
        this.guestStart = guestStart;
    }

    void restore(Sandbox sandbox, Template template, Undo undo) {
        String id = sandbox.id();
        StepTimes times = new StepTimes();
        SnapshotDescription description = SnapshotDescription.of(template);
        host.requireLoadable(description.vm(), "the snapshot");
        resources.prepareDirectory(id, undo);
        startConsole(id, template);
        // qemu-img and the network set-up are both on the path and neither needs the other.
        CompletableFuture<Void> overlay = CompletableFuture.runAsync(
                () -> host.disks.createOverlay(resources.pinBase(id, template.rootfs()), host.layout.sandboxOverlay(id),
                        template.imageSizeMb()),
                Thread::startVirtualThread);
        NetworkSlot slot;
        try {
            slot = resources.prepareNetwork(id, sandbox.record().spec().network(), undo);
        } catch (RuntimeException e) {
            overlay.exceptionally(failure -> null).join(); // before the undo removes the directory it writes into
            throw e;
        }
        try {
            overlay.join();
        } catch (CompletionException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not create the sandbox's disk", e.getCause());
        }
        SandboxRecord record = sandbox.record().withSlot(slot.number()).withBootMs(0).withOwnMemory(false);
        sandbox.record(record);
        host.store.write(record);
        GuestConnection envd = resources.connectGuest(sandbox, undo);
        times.step("network disk");
        undo.add("kill VM", () -> host.vms.kill(sandbox.pid(), host.layout.sandboxQmpSocket(id)));
        VmSpec vm = guestStart.vmSpec(record, template.snapshot().memory(), false, template.snapshot().state());
        guestStart.startIncoming(sandbox, vm, true, host.bootPolicy.deadline(), times,
                guestStart.initProbe(envd, record, description.envdAccessToken()), "create.started");
        growDisk(sandbox, template.imageSizeMb());
        // Never 0: a non-zero bootMs is what tells a restarted agent that the guest was initialised.
        sandbox.record(record.withBootMs(Math.max(1, times.totalMs())));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        times.step("record");
        LOG.info("sandbox {} of {}/{} restored from {}: slot {}, pid {}, {} ms to guest agent ({})", id,
                template.teamId(), template.name(), template.snapshot().description().getParent(), slot.number(),
                sandbox.pid(), times.totalMs(), times);
    }

    /** The sandbox's console begins with what its guest printed before the snapshot, if the snapshot kept it (QEMU appends). */
    private void startConsole(String id, Template template) {
        Path console = template.snapshot().console();
        if (console == null) {
            return;
        }
        try {
            java.nio.file.Files.copy(console, host.layout.sandboxSerialLog(id), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            LOG.info("sandbox {}: its console starts empty: {}", id, e.toString());
        }
    }

    /**
     * A sandbox asking for more disk than its snapshot had: QEMU grows the device (the guest
     * sees it at once) and the guest grows its filesystem online, as a cold boot does at start.
     */
    private void growDisk(Sandbox sandbox, long currentMb) {
        long wantedMb = sandbox.record().spec().diskSizeMb();
        if (wantedMb <= currentMb) {
            return;
        }
        host.vmControl.resizeDisk(host.layout.sandboxQmpSocket(sandbox.id()), wantedMb << 20);
        // The guest learns the new capacity from a config interrupt: wait for it, then grow. A grow
        // the source sandbox had in flight when it was saved finishes first (EBUSY until then).
        String script = "i=0; while [ $(cat /sys/block/vda/size) -lt " + (wantedMb << 11) + " ] && [ $i -lt 100 ]; do"
                + " sleep 0.1; i=$((i+1)); done; r=$(command -v resize2fs || echo /sbin/resize2fs);"
                + " i=0; until $r /dev/vda; do [ $i -lt 100 ] || exit 1; sleep 0.2; i=$((i+1)); done";
        StringBuilder output = new StringBuilder();
        ProcessEvent.Ended ended = null;
        try (var process = sandbox.guest().start(new GuestConnection.StartSpec("/bin/sh", List.of("-c", script), Map.of(), "/", "root"))) {
            for (ProcessEvent event = process.next(); event != null; event = process.next()) {
                switch (event) {
                    case ProcessEvent.Stdout out -> output.append(new String(out.data(), StandardCharsets.UTF_8));
                    case ProcessEvent.Stderr err -> output.append(new String(err.data(), StandardCharsets.UTF_8));
                    case ProcessEvent.Ended end -> ended = end;
                    case ProcessEvent.Started started -> { }
                    case ProcessEvent.Pty pty -> { }
                }
            }
        }
        if (ended == null || ended.exitCode() != 0) {
            LOG.warn("sandbox {}: growing the filesystem failed: {}", sandbox.id(), output);
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the restored sandbox's disk could not be grown");
        }
    }
}
