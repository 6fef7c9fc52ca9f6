package io.wrenn.controlplane.build;

import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.SandboxService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This control plane's share of the build queue. Every {@link #POLL} it takes over builds whose
 * lease ran out (their control plane died: the builder is destroyed, the build queued again
 * once, then failed with the reason), and claims queued builds while fewer than
 * {@code perHost} × online hosts run. Each claimed build runs on a virtual thread while a second
 * one renews its lease every {@link #RENEW}, and stops it when the lease is lost or a cancel is
 * asked for (from any control plane: the flag is in the row).
 */
public final class BuildWorkers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BuildWorkers.class);
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration RENEW = Duration.ofSeconds(2);
    /** A lease outlives a few missed renewals (a paused JVM, a slow database) but not a dead control plane for long. */
    static final Duration LEASE = Duration.ofSeconds(20);
    /** A build whose control plane died is tried this many times in all. */
    static final int MAX_ATTEMPTS = 2;
    /** E2B reserves a build before it sends its steps; one whose steps never come is dropped. */
    static final Duration PENDING_LIFETIME = Duration.ofHours(1);

    private final BuildStore store;
    private final BuildRunner runner;
    private final SandboxService sandboxes;
    private final HostStore hosts;
    private final int perHost;
    private final String owner = "cp-" + UUID.randomUUID();
    private final Map<UUID, BuildRunner.Attempt> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-builds").daemon().factory());
    private volatile boolean closed;

    BuildWorkers(BuildStore store, BuildRunner runner, SandboxService sandboxes, HostStore hosts, int perHost) {
        this.store = store;
        this.runner = runner;
        this.sandboxes = sandboxes;
        this.hosts = hosts;
        this.perHost = perHost;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tickSafely, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Wakes the queue now (a build was just queued). */
    void wake() {
        if (!closed) {
            timer.execute(this::tickSafely);
        }
    }

    /** Stops the build's step at once if this control plane runs it (others see the row's flag). */
    void cancelLocal(UUID buildId) {
        BuildRunner.Attempt attempt = running.get(buildId);
        if (attempt != null) {
            attempt.cancel("cancelled");
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (Throwable t) {
            log.warn("build queue pass failed", t);
        }
    }

    void tick() {
        if (closed) {
            return;
        }
        takeOverExpired();
        store.expirePending(PENDING_LIFETIME);
        int capacity = perHost * Math.max(1, hosts.online().size());
        Optional<Build> next;
        while (!closed && (next = store.claimNext(owner, LEASE, capacity)).isPresent()) {
            launch(next.get());
        }
    }

    private void takeOverExpired() {
        List<Build> expired = store.expired();
        for (Build build : expired) {
            if (running.containsKey(build.id())) {
                continue; // ours, merely late in renewing
            }
            if (build.builderId() != null) {
                try {
                    sandboxes.delete(build.requesterTeam(), WireId.SANDBOX.encode(build.builderId()));
                } catch (RuntimeException e) {
                    log.warn("could not destroy builder {} of lost build {}: {}", build.builderId(), build.id(), e.toString());
                }
            }
            String reason = "attempt " + build.attempts() + " was lost with the control plane running it";
            if (store.takeOver(build, MAX_ATTEMPTS, reason)) {
                store.appendLogs(build.id(), List.of(new LogLine(0, build.currentStep(), "system", reason, Clock.systemUTC().instant())));
                log.info("build {}: {}", build.id(), reason);
            }
        }
    }

    private void launch(Build build) {
        BuildRunner.Attempt attempt = new BuildRunner.Attempt();
        running.put(build.id(), attempt);
        Thread.ofVirtual().name("wrenn-build-lease-" + build.id()).start(() -> renewWhileRunning(build, attempt));
        Thread.ofVirtual().name("wrenn-build-" + build.id()).start(() -> {
            try {
                runner.run(build, owner, attempt);
            } catch (Throwable t) {
                log.error("build {} ended abnormally", build.id(), t);
            } finally {
                running.remove(build.id());
                wake();
            }
        });
    }

    private void renewWhileRunning(Build build, BuildRunner.Attempt attempt) {
        while (running.get(build.id()) == attempt) {
            try {
                BuildStore.Lease lease = store.renew(build.id(), owner, LEASE);
                if (!lease.held()) {
                    attempt.cancel("the build was taken over");
                } else if (lease.cancelRequested()) {
                    attempt.cancel("cancelled");
                }
            } catch (RuntimeException e) {
                log.warn("could not renew the lease of build {}: {}", build.id(), e.toString());
            }
            try {
                Thread.sleep(RENEW);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Stops claiming, and gives the builds in flight back to the queue (their builders
     * destroyed) for the next control plane on this database; waits a little for that.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        running.values().forEach(BuildRunner.Attempt::release);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
