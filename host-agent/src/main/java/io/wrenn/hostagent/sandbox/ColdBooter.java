package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a sandbox from an image template by booting its kernel: a fresh overlay, a new
 * namespace, QEMU under a watchdog that retries a silent boot, then envd's {@code /init}.
 */
final class ColdBooter {

    private static final Duration BOOT_PROBE_TIMEOUT = Duration.ofMillis(800);

    private static final Logger LOG = LoggerFactory.getLogger(ColdBooter.class);
    private static final Duration FILESYSTEM_GROW_DEADLINE = Duration.ofSeconds(60);

    private final SandboxHost host;
    private final SandboxResources resources;
    private final GuestStart guestStart;

    ColdBooter(SandboxHost host, SandboxResources resources, GuestStart guestStart) {
        this.host = host;
        this.resources = resources;
        this.guestStart = guestStart;
    }

    /** Steps (a)-(g): directory, slot + network, record, disk + VM under the watchdog, guest init. */
    void boot(Sandbox sandbox, Template template, Undo undo, BootPolicy policy) {
        String id = sandbox.id();
        long t0 = System.nanoTime();
        Booted booted = bootUninitialised(sandbox, template, undo, policy);
        long bootMs = (System.nanoTime() - t0) / 1_000_000;

        SandboxRecord record = sandbox.record();
        guestStart.initBooted(sandbox, booted.vm(), booted.envd(), record, record.envdAccessToken(), policy.deadline());
        awaitFilesystemGrown(sandbox, booted.envd(), record.spec().diskSizeMb());
        // Never 0: a non-zero bootMs is what tells a restarted agent that the guest was initialised.
        sandbox.record(record.withBootMs(Math.max(1, bootMs)));
        host.store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        LOG.info("sandbox {} running: template {}, slot {}, pid {}, {} ms to guest agent", id,
                template.name(), record.slot(), sandbox.pid(), bootMs);
    }

    /** A booted VM whose envd answers and was told nothing yet. */
    record Booted(VmSpec vm, GuestConnection envd) {
    }

    /**
     * Steps (a)-(f): the VM booted until its envd answers {@code /health}, and nothing more: envd
     * holds no token, environment or entropy of anyone's yet. A create goes on to initialise it; a
     * warm snapshot's primer saves it as it is.
     */
    Booted bootUninitialised(Sandbox sandbox, Template template, Undo undo, BootPolicy policy) {
        String id = sandbox.id();
        resources.prepareDirectory(id, undo);
        NetworkSlot slot = resources.prepareNetwork(id, sandbox.record().spec().network(), undo);

        SandboxRecord record = sandbox.record().withSlot(slot.number()).withBootMs(0);
        sandbox.record(record);
        host.store.write(record);
        undo.add("kill VM", () -> host.vms.kill(sandbox.pid(), host.layout.sandboxQmpSocket(id)));
        VmSpec vm = guestStart.vmSpec(record, host.layout.sandboxMemory(id), true, null);
        return new Booted(vm, bootUnderWatchdog(sandbox, template, vm, undo, policy, record.envdAccessToken()));
    }

    /**
     * Boots the sandbox's own disk as it is (the resume of a pause that kept only the disk):
     * the same watchdog as a create, but a hung attempt is retried on the same disk, which holds
     * the sandbox's files. The caller initialises the guest, which is then to hold {@code accessToken}.
     */
    GuestConnection bootKeptDisk(Sandbox sandbox, VmSpec vm, Undo undo, BootPolicy policy, String accessToken) {
        return bootUnderWatchdog(sandbox, null, vm, undo, policy, accessToken);
    }

    /**
     * Starts the VM and waits for envd's {@code /health}. A boot that has not answered by the
     * deadline is killed and retried on a fresh overlay of {@code template} (the hung one may have
     * half-written it); with no template, on the disk that is there.
     */
    private GuestConnection bootUnderWatchdog(Sandbox sandbox, Template template, VmSpec vm, Undo undo,
            BootPolicy policy, String accessToken) {
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                if (template != null) {
                    Files.deleteIfExists(vm.disk());
                }
                Files.deleteIfExists(vm.memoryFile());
                Files.deleteIfExists(vm.pidFile());
                Files.deleteIfExists(vm.qmpSocket());
            } catch (IOException e) {
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's disk", e);
            }
            if (template != null) {
                try {
                    long diskMb = sandbox.record().spec().diskSizeMb();
                    host.disks.createOverlay(resources.pinBase(sandbox.id(), template.rootfsFor(diskMb)), vm.disk(), diskMb);
                } catch (RuntimeException e) {
                    throw new SandboxException(SandboxException.Kind.INTERNAL, "could not create the sandbox's disk", e);
                }
            }
            long t0 = System.nanoTime();
            // Each attempt is another VM at the same address: a connection of its own.
            GuestConnection envd = resources.connectGuest(sandbox, undo, accessToken);
            guestStart.startQemu(sandbox, vm);
            // Each attempt a fresh connection within 800 ms: while the guest boots its SYNs go
            // unanswered, and one long attempt would wait for TCP's next SYN retransmission.
            GuestStart.GuestProbe health = ignored -> envd.health(BOOT_PROBE_TIMEOUT);
            boolean up = guestStart.awaitGuest(sandbox, vm, policy.deadline(), health);
            if (!up && !policy.slowBootGrace().isZero() && consoleSpoke(vm)
                    && host.vms.isRunning(sandbox.pid(), vm.qmpSocket())) {
                LOG.info("sandbox {} boot attempt {}: slower than {} but its console shows progress; waiting up to {} more",
                        sandbox.id(), attempt, policy.deadline(), policy.slowBootGrace());
                up = guestStart.awaitGuest(sandbox, vm, policy.slowBootGrace(), health);
            }
            if (up) {
                LOG.debug("sandbox {} guest agent answered after {} ms (attempt {})", sandbox.id(),
                        (System.nanoTime() - t0) / 1_000_000, attempt);
                return envd;
            }
            LOG.warn("sandbox {} boot attempt {} of {}: guest agent silent or VM gone after {} ms; {}", sandbox.id(),
                    attempt, policy.attempts(), (System.nanoTime() - t0) / 1_000_000,
                    attempt < policy.attempts() ? "retrying" : "giving up");
            LOG.warn("sandbox {} serial console, last lines:\n{}", sandbox.id(), FileTrees.tail(vm.serialLog(), 3000));
            host.vms.kill(sandbox.pid(), vm.qmpSocket());
            envd.close();
        }
        throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the sandbox did not boot");
    }

    /** Whether the guest wrote anything to its console (QEMU truncates the log at each start). */
    private static boolean consoleSpoke(VmSpec vm) {
        try {
            return Files.size(vm.serialLog()) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The guest grows its root filesystem to the disk's size in the background once envd is up;
     * a sandbox is handed out only when that space is usable, so that a first large upload does
     * not find the template's small filesystem. ext4 keeps a few percent for its metadata.
     */
    private void awaitFilesystemGrown(Sandbox sandbox, GuestConnection envd, long diskSizeMb) {
        long wanted = (diskSizeMb << 20) / 100 * 90;
        long deadline = System.nanoTime() + FILESYSTEM_GROW_DEADLINE.toNanos();
        long total = 0;
        while (System.nanoTime() < deadline) {
            total = envd.diskTotalBytes();
            if (total >= wanted) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("sandbox {}: root filesystem still {} MiB after {}; handing it out anyway", sandbox.id(),
                total >> 20, FILESYSTEM_GROW_DEADLINE);
    }
}
