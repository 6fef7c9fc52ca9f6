package io.wrenn.controlplane.metrics;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic metrics work of a control plane: collect the hosts' samples every 5 s, sample
 * team usage every 10 s, roll up and prune every minute. Each job is safe with several control
 * planes on one database (keys make the writes idempotent), and a failed pass is logged and
 * retried at the next.
 */
final class MetricsJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsJobs.class);

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-metrics").daemon().factory());
    private final MetricsCollector collector;
    private final MetricsStore store;
    private final ControlPlaneMeters meters;

    MetricsJobs(MetricsCollector collector, MetricsStore store, ControlPlaneMeters meters) {
        this.collector = collector;
        this.store = store;
        this.meters = meters;
    }

    MetricsJobs start() {
        every(Duration.ofSeconds(5), "collect", collector::collect);
        every(Duration.ofSeconds(10), "usage sample", store::sampleUsage);
        every(Duration.ofSeconds(10), "gauges", this::refreshGauges);
        every(Duration.ofMinutes(1), "roll-up", this::rollUpAndPrune);
        return this;
    }

    void runOnce() {
        collector.collect();
        store.sampleUsage();
        rollUpAndPrune();
        refreshGauges();
    }

    /** The Prometheus gauges read from the database (several control planes report the same values). */
    void refreshGauges() {
        meters.sandboxCounts(store.countByStatus());
        meters.hosts(store.hostsNow());
        meters.builds(store.buildsByStatus());
    }

    /** Minutes from the last 10 minutes of fine points, hours from the last 3 hours of minutes, then the prune. */
    void rollUpAndPrune() {
        store.rollUp(Tier.FINE, Tier.MINUTE, Duration.ofMinutes(10));
        store.rollUp(Tier.MINUTE, Tier.HOUR, Duration.ofHours(3));
        store.prune();
    }

    private void every(Duration period, String name, Runnable job) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.warn("metrics {} failed", name, e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        collector.close();
    }
}
