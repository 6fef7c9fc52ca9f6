package io.wrenn.hostagent.metrics;

import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every running sandbox of this host once per {@link #tick()}.
 *
 * <p>Per sandbox and tick: CPU % from the growth of QEMU's CPU time over the period, divided by
 * the sandbox's vCPUs (0-100); network bytes from the growth of the host veth's counters (the
 * host's transmit is the guest's receive); memory and disk in use from the guest's last
 * figures. The guest is asked (envd {@code /metrics}, at most 16 KiB within
 * {@link #GUEST_TIMEOUT}) only when it used at least {@link #BUSY_CPU_PCT} % in the period, was
 * never asked, or was last asked {@link #GUEST_MAX_AGE} ago: an idle guest's memory and disk do
 * not move, and waking a TCG guest's JVM to say so would cost more CPU than everything else here.
 * The first tick that sees a VM (created, resumed, or with a new PID) only takes its baseline.
 */
public final class SandboxSampler {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxSampler.class);
    static final double BUSY_CPU_PCT = 5.0;
    static final Duration GUEST_MAX_AGE = Duration.ofMinutes(5);
    static final Duration GUEST_TIMEOUT = Duration.ofSeconds(2);
    static final Duration GUEST_RETRY = Duration.ofSeconds(30);

    /** What the last tick saw of one VM: the baseline of the next period. */
    private record Seen(long pid, long nanos, long cpuTicks, long hostTx, long hostRx, GuestFigures guest, long guestAtNanos) {
    }

    private final Supplier<List<Sandbox>> sandboxes;
    private final HostCounters counters;
    private final SampleLog log;
    private final Clock clock;
    private final Runnable guestRead;
    private final Map<String, Seen> seen = new HashMap<>();
    private final ExecutorService guestReads = Executors.newVirtualThreadPerTaskExecutor();

    /** @param guestRead told of each read of a guest's figures (the meters count them) */
    public SandboxSampler(Supplier<List<Sandbox>> sandboxes, SampleLog log, Clock clock, Runnable guestRead) {
        this(sandboxes, HostCounters.system(), log, clock, guestRead);
    }

    SandboxSampler(Supplier<List<Sandbox>> sandboxes, HostCounters counters, SampleLog log, Clock clock, Runnable guestRead) {
        this.guestRead = guestRead;
        this.sandboxes = sandboxes;
        this.counters = counters;
        this.log = log;
        this.clock = clock;
    }

    /** One pass over the running sandboxes; returns how many were sampled. Called from one thread. */
    public synchronized int tick() {
        long now = System.nanoTime();
        long atMs = clock.millis();
        List<Sandbox> running = new ArrayList<>();
        for (Sandbox sandbox : sandboxes.get()) {
            if (sandbox.state() == Sandbox.State.RUNNING && sandbox.pid() > 0 && sandbox.record().slot() > 0) {
                running.add(sandbox);
            }
        }
        Map<String, Reading> readings = new HashMap<>();
        List<Reading> askGuest = new ArrayList<>();
        for (Sandbox sandbox : running) {
            Reading reading = read(sandbox, now);
            if (reading == null) {
                continue;
            }
            readings.put(sandbox.id(), reading);
            if (reading.needsGuest()) {
                askGuest.add(reading);
            }
        }
        askGuests(askGuest, now);
        int sampled = 0;
        Set<String> present = new HashSet<>();
        for (Reading reading : readings.values()) {
            present.add(reading.sandbox.id());
            seen.put(reading.sandbox.id(), reading.next());
            if (reading.previous != null) {
                log.append(reading.sample(atMs));
                sampled++;
            }
        }
        seen.keySet().retainAll(present);
        return sampled;
    }

    /** This tick's counters of one VM, with the baseline of the last tick (null when it had none). */
    private final class Reading {
        final Sandbox sandbox;
        final Seen previous;
        final long pid;
        final long nanos;
        final long cpuTicks;
        final long hostTx;
        final long hostRx;
        GuestFigures guest;
        long guestAtNanos;

        Reading(Sandbox sandbox, Seen previous, long pid, long nanos, long cpuTicks, long hostTx, long hostRx) {
            this.sandbox = sandbox;
            this.previous = previous;
            this.pid = pid;
            this.nanos = nanos;
            this.cpuTicks = cpuTicks;
            this.hostTx = hostTx;
            this.hostRx = hostRx;
            this.guest = previous == null ? GuestFigures.UNKNOWN : previous.guest();
            this.guestAtNanos = previous == null ? Long.MIN_VALUE : previous.guestAtNanos();
        }

        double cpuPct() {
            if (previous == null || nanos <= previous.nanos() || cpuTicks < previous.cpuTicks()) {
                return 0;
            }
            double seconds = (nanos - previous.nanos()) / 1e9;
            double used = (cpuTicks - previous.cpuTicks()) / (double) HostCounters.CLOCK_TICKS_PER_SECOND;
            int vcpus = Math.max(1, sandbox.record().spec().vcpus());
            return Math.clamp(100.0 * used / (seconds * vcpus), 0.0, 100.0);
        }

        boolean needsGuest() {
            return sandbox.guest() != null && (guestAtNanos == Long.MIN_VALUE
                    || nanos - guestAtNanos >= GUEST_MAX_AGE.toNanos()
                    || cpuPct() >= BUSY_CPU_PCT);
        }

        Seen next() {
            return new Seen(pid, nanos, cpuTicks, hostTx, hostRx, guest, guestAtNanos);
        }

        Sample sample(long atMs) {
            SandboxSpec spec = sandbox.record().spec();
            long memLimit = (long) spec.memoryMb() << 20;
            long diskLimit = (long) spec.diskSizeMb() << 20;
            return new Sample(0, spec.sandboxId(), spec.teamId(), atMs, spec.vcpus(), round(cpuPct()),
                    guest.memUsedBytes(), guest.memTotalBytes() > 0 ? guest.memTotalBytes() : memLimit,
                    guest.diskUsedBytes(), guest.diskTotalBytes() > 0 ? guest.diskTotalBytes() : diskLimit,
                    growth(previous.hostTx(), hostTx), growth(previous.hostRx(), hostRx));
        }
    }

    private Reading read(Sandbox sandbox, long now) {
        long pid = sandbox.pid();
        long ticks = counters.cpuTicks(pid);
        if (ticks < 0) {
            return null; // the VM just went away; the next list will not hold it
        }
        String veth = sandbox.slot().hostVeth();
        long tx = counters.interfaceBytes(veth, "tx_bytes");
        long rx = counters.interfaceBytes(veth, "rx_bytes");
        Seen previous = seen.get(sandbox.id());
        if (previous != null && previous.pid() != pid) {
            previous = null; // resumed or re-adopted in a new QEMU: a new baseline
        }
        return new Reading(sandbox, previous, pid, now, ticks, tx, rx);
    }

    /** Asks the guests in parallel, each bounded, so one slow or hostile guest delays no other. */
    private void askGuests(List<Reading> readings, long now) {
        List<Future<?>> pending = new ArrayList<>();
        for (Reading reading : readings) {
            pending.add(guestReads.submit(() -> {
                GuestConnection envd = reading.sandbox.guest();
                SandboxSpec spec = reading.sandbox.record().spec();
                guestRead.run();
                try {
                    reading.guest = GuestFigures.from(envd.metrics(GUEST_TIMEOUT), (long) spec.memoryMb() << 20,
                            (long) spec.diskSizeMb() << 20);
                    reading.guestAtNanos = now;
                } catch (RuntimeException e) {
                    LOG.debug("no figures from the guest of {}: {}", spec.sandboxId(), e.getMessage());
                    // Asked again after GUEST_RETRY, not every tick: a guest that never answers
                    // costs one bounded read per half minute.
                    reading.guestAtNanos = now - GUEST_MAX_AGE.toNanos() + GUEST_RETRY.toNanos();
                }
            }));
        }
        for (Future<?> future : pending) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.debug("guest read failed", e.getCause());
            }
        }
    }

    private static long growth(long before, long after) {
        return before < 0 || after < before ? 0 : after - before;
    }

    private static double round(double pct) {
        return Math.round(pct * 100) / 100.0;
    }

    public void close() {
        guestReads.shutdownNow();
    }
}
