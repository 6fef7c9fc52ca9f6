package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.GuestKernelArgs;
import io.wrenn.hostagent.vm.QemuJail;
import io.wrenn.hostagent.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting a sandbox's QEMU and waiting for its guest agent: the part a cold boot, a restore
 * from a snapshot and a resume have in common.
 */
final class GuestStart {

    private static final Logger LOG = LoggerFactory.getLogger(GuestStart.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SandboxHost host;

    GuestStart(SandboxHost host) {
        this.host = host;
    }

    /** One attempt to reach the guest: true once it answered, false to try again after a pause. */
    interface GuestProbe {
        boolean attempt(Duration timeout);
    }

    /**
     * The sandbox's QEMU: its overlay and {@code memory} as RAM ({@code memoryShared}: mapped
     * shared, the sandbox's own; otherwise a snapshot's, private), with the accelerator its record
     * names, jailed as the user of its network slot; {@code incomingState}: the saved state it
     * waits for instead of booting (null: boot).
     */
    VmSpec vmSpec(SandboxRecord record, Path memory, boolean memoryShared, Path incomingState) {
        String id = record.spec().sandboxId();
        Accelerator accel = Accelerator.fromWireName(record.accelerator());
        return new VmSpec(SandboxNetwork.namespaceName(id), host.layout.kernelImage(), host.layout.initrdImage(),
                GuestKernelArgs.forAccelerator(accel), host.layout.sandboxOverlay(id),
                record.spec().vcpus(), record.spec().memoryMb(), accel, host.layout.sandboxQmpSocket(id),
                host.layout.sandboxSerialLog(id), host.layout.sandboxPidFile(id), host.layout.sandboxQemuLog(id),
                memory, memoryShared, incomingState, QemuJail.forSlot(record.slot(), host.layout.sandboxQmpSocket(id)));
    }

    /** Starts QEMU and records its PID in the sandbox. */
    void startQemu(Sandbox sandbox, VmSpec vm) {
        try {
            sandbox.pid(host.vms.start(vm));
        } catch (RuntimeException e) {
            LOG.warn("sandbox {}: QEMU did not start: {}\n{}", sandbox.id(), e.getMessage(), FileTrees.tail(vm.qemuLog(), 3000));
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the VM did not start", e);
        }
    }

    /**
     * Starts QEMU waiting for its {@link VmSpec#incomingState}, loads it, runs the guest and initialises envd,
     * whose {@code /init} is also the probe that it is up ({@code ready}).
     */
    void startIncoming(Sandbox sandbox, VmSpec vm, boolean ignoreShared, Duration deadline,
            StepTimes times, GuestProbe ready) {
        startIncoming(sandbox, vm, ignoreShared, deadline, times, ready, null);
    }

    /**
     * As {@link #startIncoming(Sandbox, VmSpec, boolean, Duration, StepTimes, GuestProbe)}, with the
     * crash point {@code startedStep} reached once QEMU runs and before it loads the state: the
     * moment a VM exists on the host that no guest answers for yet.
     */
    void startIncoming(Sandbox sandbox, VmSpec vm, boolean ignoreShared, Duration deadline,
            StepTimes times, GuestProbe ready, String startedStep) {
        try {
            Files.deleteIfExists(vm.pidFile());
            Files.deleteIfExists(vm.qmpSocket());
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's files", e);
        }
        startQemu(sandbox, vm);
        times.step("qemu");
        if (startedStep != null) {
            host.crashPoint(startedStep);
        }
        try {
            host.vmControl.load(vm.qmpSocket(), vm.incomingState(), ignoreShared);
            times.step("load");
            host.vmControl.cont(vm.qmpSocket());
        } catch (RuntimeException e) {
            LOG.warn("sandbox {}: loading saved state failed: {}\n{}", sandbox.id(), e.getMessage(), FileTrees.tail(vm.qemuLog(), 3000));
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the saved state could not be loaded", e);
        }
        if (!awaitGuest(sandbox, vm, deadline, ready)) {
            LOG.warn("sandbox {}: guest agent silent after a restore\n{}", sandbox.id(), FileTrees.tail(vm.qemuLog(), 3000));
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the restored sandbox did not answer");
        }
        times.step("envd init");
    }

    /**
     * Calls {@code probe} until it succeeds, the VM dies or the deadline passes. An attempt that
     * times out is offered twice as long the next time (up to 10 s): on a loaded host a restored
     * guest can be up and still slower than the first attempts allow. (A cold boot's probe keeps
     * its own short timeout: there a timeout means the guest is not up yet.)
     */
    boolean awaitGuest(Sandbox sandbox, VmSpec vm, Duration deadline, GuestProbe probe) {
        long end = System.nanoTime() + deadline.toNanos();
        Duration timeout = Duration.ofMillis(800);
        while (System.nanoTime() < end) {
            if (host.closing()) {
                host.vms.kill(sandbox.pid(), vm.qmpSocket());
                throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
            }
            if (!host.vms.isRunning(sandbox.pid(), vm.qmpSocket())) {
                return false;
            }
            long attemptStart = System.nanoTime();
            if (probe.attempt(timeout)) {
                return true;
            }
            if (System.nanoTime() - attemptStart >= timeout.toNanos()) {
                timeout = timeout.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : timeout.multipliedBy(2);
            }
            try {
                // Short: a restored guest answers within a few hundred ms, and every ms of the
                // wait is on the path of a create or resume.
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "interrupted while booting");
            }
        }
        return false;
    }

    /**
     * Initialises the guest of a boot (a create's, or the resume of a pause that kept only the
     * disk), whose envd already answers: its {@code /init} by {@link #initProbe}, sent again while
     * the guest of a loaded host is slow to answer (it is idempotent) instead of failing the boot
     * after one long wait. {@code token} is the one the guest is to hold.
     */
    void initBooted(Sandbox sandbox, VmSpec vm, GuestConnection envd, SandboxRecord record, String token,
            Duration deadline) {
        if (!awaitGuest(sandbox, vm, deadline, initProbe(envd, record, token))) {
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "init: the guest agent did not answer in time");
        }
    }

    /**
     * The readiness probe of a restored or resumed guest: its {@code /init} (environment, user,
     * workdir, the host's clock now, fresh entropy), sent with the token the guest holds now.
     */
    GuestProbe initProbe(GuestConnection envd, SandboxRecord record, String guestToken) {
        return timeout -> {
            long sent = System.nanoTime();
            if (!envd.tryInit(record.spec().env(), record.defaultUser(), record.defaultWorkdir(),
                    host.clock.instant(), entropy(), guestToken, timeout)) {
                return false;
            }
            settleClock(envd, sent);
            return true;
        };
    }

    /** A clock set by one exchange is late by as much as that exchange took. */
    private static final long CLOCK_PRECISION_NANOS = Duration.ofMillis(50).toNanos();

    /**
     * Called after an exchange that set the guest's clock, begun at {@code sentNanos}: the
     * timestamp was taken before the exchange, so a slow one (a SYN retransmitted while the
     * restored guest was not running yet, a guest paging its memory in) left the clock late by
     * seconds. The clock is set again over the now open connection until one exchange is quick.
     */
    void settleClock(GuestConnection envd, long sentNanos) {
        long took = System.nanoTime() - sentNanos;
        for (int attempt = 0; attempt < 3 && took > CLOCK_PRECISION_NANOS; attempt++) {
            long start = System.nanoTime();
            try {
                envd.setClock(host.clock.instant());
            } catch (GuestException e) {
                // The guest answered its /init, so it is up with a clock set, only late by the slow
                // exchange: a busy host must not fail the create or resume for this refinement.
                LOG.info("a guest's clock stays late by {} ms: setting it again failed: {}", took / 1_000_000, e.getMessage());
                return;
            }
            took = System.nanoTime() - start;
        }
    }

    /** Fresh randomness for the guest's entropy pool at every {@code /init}: no two guests of a snapshot share it. */
    static byte[] entropy() {
        byte[] seed = new byte[64];
        RANDOM.nextBytes(seed);
        return seed;
    }
}
