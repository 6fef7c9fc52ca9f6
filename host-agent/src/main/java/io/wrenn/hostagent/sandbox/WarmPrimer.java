package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.warm.WarmKey;
import io.wrenn.hostagent.warm.WarmStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a warm snapshot: boots the image in an internal VM (the primer), waits until envd answers,
 * gives it one {@code /init} with nothing of anyone's (no token, no environment: no sandbox's
 * data), saves it the way a snapshot is saved (state, memory, flattened disk) into the image's
 * staging directory of the machine-wide store, renames that into place, and destroys the VM.
 *
 * <p>The primer is no sandbox: it is never in the agent's map (so never listed, reported, sampled
 * or reaped), has no way out of its namespace, and its directory carries a marker by which an
 * agent starting after a crash stops its QEMU and removes it. Only the holder of the image's lock
 * in the store primes, so one agent of the machine at a time.
 */
final class WarmPrimer {

    private static final Logger LOG = LoggerFactory.getLogger(WarmPrimer.class);
    /** The primer reaches nothing: no internet, no address outside its namespace. */
    private static final NetworkPolicy NO_EGRESS = new NetworkPolicy(false, List.of(), List.of());

    private final SandboxHost host;
    private final SandboxResources resources;
    private final ColdBooter coldBooter;
    private final GuestStart guestStart;
    private final Snapshotter snapshotter;
    private final WarmStore store;

    WarmPrimer(SandboxHost host, SandboxResources resources, ColdBooter coldBooter, GuestStart guestStart,
            Snapshotter snapshotter) {
        this.host = host;
        this.resources = resources;
        this.coldBooter = coldBooter;
        this.guestStart = guestStart;
        this.snapshotter = snapshotter;
        this.store = new WarmStore(host.layout);
    }

    /**
     * Primes {@code key} unless another agent of the machine is priming the image or it is
     * there already. {@code keyNow} computes the key again: the image rebuilt while its primer ran
     * is not stored under the old key.
     */
    void prime(Template image, WarmKey key, int vcpus, int memoryMb, Supplier<WarmKey> keyNow) {
        Optional<WarmStore.Lease> lease;
        try {
            lease = store.tryLock(key.image());
        } catch (IOException e) {
            throw new UncheckedIOException("the warm snapshot store is not writable: " + e.getMessage(), e);
        }
        if (lease.isEmpty()) {
            LOG.debug("warm snapshot {}: another agent is priming {}", key, key.image());
            return;
        }
        try (WarmStore.Lease held = lease.get()) {
            if (store.find(key).isPresent()) {
                return;
            }
            held.removeStaging();
            long t0 = System.nanoTime();
            Path staging = held.newStaging();
            try {
                bootAndSave(image, vcpus, memoryMb, new Layout.SnapshotFiles(staging));
                if (!key.equals(keyNow.get())) {
                    throw new IllegalStateException("the image, kernel or QEMU changed while it was primed");
                }
                if (held.promote(staging, key)) {
                    LOG.info("warm snapshot {} made in {} ms: creates of {} with {} vcpus and {} MiB restore from it",
                            key, (System.nanoTime() - t0) / 1_000_000, image.name(), vcpus, memoryMb);
                }
                held.removeStale(key);
            } catch (IOException | RuntimeException e) {
                DirectoryTrees.deleteRecursively(staging);
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code true} as the image's user, for the same reason as the {@code /init}: a warm
     * sandbox's first command would otherwise run envd's process path for the first time (seconds
     * under TCG, measured: warm create → first exec 2.9 s against 1.8 s from a snapshot template).
     */
    private static void warmUpProcesses(io.wrenn.hostagent.guest.GuestConnection envd, Template image) {
        try (var process = envd.start(new io.wrenn.hostagent.guest.GuestConnection.StartSpec("/bin/true", List.of(), Map.of(), "/",
                image.defaultUser()))) {
            while (process.next() != null) {
                // drained: started, then ended
            }
        } catch (RuntimeException e) {
            // Only speed is at stake: the snapshot is as good without it, its first command slower.
            LOG.info("warm snapshot of {}: warming up envd's processes failed: {}", image.name(), e.toString());
        }
    }

    /** Boots the primer, saves it into {@code files}, and always destroys it. */
    private void bootAndSave(Template image, int vcpus, int memoryMb, Layout.SnapshotFiles files) throws IOException {
        String id = UUID.randomUUID().toString();
        int diskMb = (int) image.imageSizeMb();
        SandboxSpec spec = new SandboxSpec(id, Layout.PLATFORM_TEAM, image.teamId(), image.name(), vcpus, memoryMb,
                diskMb, 0, Map.of(), null, NO_EGRESS);
        // No token: the primer's connection gives envd none, so the snapshot's envd holds none.
        SandboxRecord record = new SandboxRecord(spec, 0, host.accelerator().wireName(), image.defaultUser(),
                image.defaultWorkdir(), host.clock.millis(), 0, 0, null, Sandbox.State.RUNNING, 0, true);
        Sandbox primer = new Sandbox(record, Sandbox.State.STARTING);
        Undo undo = new Undo();
        try {
            resources.prepareDirectory(id, undo);
            // Before QEMU exists: an agent that dies from here on leaves a directory the next one knows to remove.
            Files.createFile(host.layout.sandboxWarmPrimerMarker(id));
            // Nobody waits for it: sandboxes people use come first for the CPU.
            host.vms.runInBackground(host.layout.sandboxQmpSocket(id));
            ColdBooter.Booted booted = coldBooter.bootUninitialised(primer, image, undo, host.bootPolicy);
            host.crashPoint("warm.booted");
            // One /init with nothing of anyone's in it (no token, an empty environment, the image's
            // user and workdir, the clock, bytes that every restore's own reseed follows): under TCG
            // envd's first /init runs seconds of code never run before, and every restore's /init
            // would pay for it; run once here, it is warm in the snapshot (docs/ARCHITECTURE.md, "Warm starts", has the numbers).
            guestStart.initBooted(primer, booted.vm(), booted.envd(), primer.record(), null, host.bootPolicy.deadline());
            warmUpProcesses(booted.envd(), image);
            host.refuseWhenClosing();
            snapshotter.saveRunning(primer, files, () -> { });
            // Its boot is every warm-started sandbox's boot: their consoles start with it, as a cold boot's would.
            if (Files.isRegularFile(host.layout.sandboxSerialLog(id))) {
                Files.copy(host.layout.sandboxSerialLog(id), files.console());
            }
            new SnapshotDescription(image.name(), "warm", vcpus, memoryMb, diskMb, image.defaultUser(), image.defaultWorkdir(),
                    null, host.clock.millis(), null, host.vmBuild(), Map.of()).write(files.json());
        } catch (IOException | RuntimeException e) {
            undo.runAll();
            throw e;
        }
        // Not in a finally: a simulated crash (an Error at a crash point) must leave the VM as a kill -9 would.
        undo.runAll();
    }

}
