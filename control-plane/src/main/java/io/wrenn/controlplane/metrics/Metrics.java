package io.wrenn.controlplane.metrics;

import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * The metrics feature of a control plane, wired: store, collector, periodic jobs, routes and
 * Prometheus series. {@link #start()} schedules the jobs; {@link #close()} stops them.
 */
public final class Metrics implements AutoCloseable {

    private final MetricsStore store;
    private final ControlPlaneMeters meters = new ControlPlaneMeters();
    private final SandboxMetrics sandboxMetrics;
    private final UsageStats usage;
    private final MetricsJobs jobs;

    public Metrics(Jdbi jdbi, HostStore hosts, HostAgents agents) {
        this.store = new MetricsStore(jdbi);
        this.sandboxMetrics = new SandboxMetrics(store, Clock.systemUTC());
        this.usage = new UsageStats(store, Clock.systemUTC());
        this.jobs = new MetricsJobs(new MetricsCollector(hosts, agents, store), store, meters);
    }

    public Metrics start() {
        jobs.start();
        return this;
    }

    public ControlPlaneMeters meters() {
        return meters;
    }

    public SandboxMetrics sandboxes() {
        return sandboxMetrics;
    }

    UsageStats usage() {
        return usage;
    }

    /** Runs every job once now (collect, usage sample, roll-up and prune, gauges), for tests. */
    public void runJobsOnce() {
        jobs.runOnce();
    }

    @Override
    public void close() {
        jobs.close();
    }
}
