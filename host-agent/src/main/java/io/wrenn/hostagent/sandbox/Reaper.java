package io.wrenn.hostagent.sandbox;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destroys sandboxes whose {@code timeout_s} has passed and cleans up those whose VM died. The
 * work is {@link #tick()}, which tests call directly; {@link #start()} only schedules it.
 */
public final class Reaper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);

    private final SandboxManager manager;
    private ScheduledExecutorService scheduler;

    public Reaper(SandboxManager manager) {
        this.manager = manager;
    }

    /** One pass. */
    public void tick() {
        manager.reap();
    }

    /** Runs {@link #tick()} every second. */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-reaper").daemon().factory());
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (Throwable t) {
                // Catch everything: an exception would silently unschedule the task.
                LOG.warn("reaper tick failed", t);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
