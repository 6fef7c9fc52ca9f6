package io.wrenn.hostagent.metrics;

import io.wrenn.hostagent.sandbox.SandboxManager;
import java.time.Clock;

/**
 * Everything metrics on one host agent: the sampler on its schedule, the samples waiting for the
 * control plane, the Prometheus series and, when the operator asked for it, their endpoint.
 */
public final class AgentMetrics implements AutoCloseable {

    /** Samples kept for the control plane: 10 minutes of 1,000 sandboxes at one sample per 5 s. */
    static final int KEPT_SAMPLES = 120_000;

    private final SampleLog samples = new SampleLog(KEPT_SAMPLES);
    private final AgentMeters meters;
    private final SandboxSampler sampler;
    private final SamplingSchedule schedule;
    private final MetricsEndpoint endpoint;

    /**
     * @param exposure where to serve {@code GET /metrics}, or null for nowhere
     */
    public AgentMetrics(SandboxManager manager, Exposure exposure) {
        meters = new AgentMeters(manager::list, manager::accelerator);
        sampler = new SandboxSampler(manager::list, samples, Clock.systemUTC(), meters::recordGuestRead);
        schedule = new SamplingSchedule(sampler, meters);
        endpoint = exposure == null ? null
                : new MetricsEndpoint(exposure.bindHost(), exposure.port(), exposure.token(), meters::scrape);
    }

    /** Where the agent serves its Prometheus endpoint: address, port (0 = any free one) and bearer token. */
    public record Exposure(String bindHost, int port, String token) {
    }

    public SampleLog samples() {
        return samples;
    }

    public AgentMeters meters() {
        return meters;
    }

    /** The sampler, so tests can run a pass without waiting for the schedule. */
    public SandboxSampler sampler() {
        return sampler;
    }

    /** The Prometheus endpoint's port, 0 when there is none. */
    public int port() {
        return endpoint == null ? 0 : endpoint.port();
    }

    @Override
    public void close() {
        schedule.close();
        sampler.close();
        if (endpoint != null) {
            endpoint.close();
        }
    }
}
