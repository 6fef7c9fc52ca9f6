package io.wrenn.controlplane.metrics;

import io.grpc.StatusException;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.hostagent.protocol.ReadMetricsRequest;
import io.wrenn.hostagent.protocol.ReadMetricsResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains every online host's samples into the database, hosts in parallel, each host's in
 * batches of up to 5,000. Where it stopped is kept per host in memory (the agent's epoch and
 * last sequence); a new control plane starts from what each host still keeps, and the points'
 * key drops what is stored already.
 */
final class MetricsCollector {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsCollector.class);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
    private static final int BATCHES_PER_PASS = 25;

    private record Cursor(String epoch, long sequence) {
    }

    private final HostStore hosts;
    private final HostAgents agents;
    private final MetricsStore store;
    private final Map<UUID, Cursor> cursors = new ConcurrentHashMap<>();
    private final ExecutorService perHost = Executors.newVirtualThreadPerTaskExecutor();

    MetricsCollector(HostStore hosts, HostAgents agents, MetricsStore store) {
        this.hosts = hosts;
        this.agents = agents;
        this.store = store;
    }

    /** One pass over the online hosts; returns the points stored. */
    int collect() {
        List<Future<Integer>> passes = new ArrayList<>();
        for (Host host : hosts.online()) {
            passes.add(perHost.submit(() -> drain(host)));
        }
        int stored = 0;
        for (Future<Integer> pass : passes) {
            try {
                stored += pass.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("collecting metrics failed", e.getCause());
            }
        }
        return stored;
    }

    private int drain(Host host) {
        int stored = 0;
        for (int batch = 0; batch < BATCHES_PER_PASS; batch++) {
            Cursor cursor = cursors.getOrDefault(host.id(), new Cursor("", 0));
            ReadMetricsResponse response;
            try {
                response = agents.stub(host, CALL_DEADLINE).readMetrics(ReadMetricsRequest.newBuilder()
                        .setEpoch(cursor.epoch())
                        .setAfterSequence(cursor.sequence())
                        .build());
            } catch (StatusException e) {
                LOG.debug("host {} gave no metrics: {}", host.address(), e.getStatus());
                return stored;
            }
            stored += store.insertSamples(host.id(), response.getSamplesList());
            long last = response.getSamplesCount() == 0
                    ? (response.getEpoch().equals(cursor.epoch()) ? cursor.sequence() : 0)
                    : response.getSamples(response.getSamplesCount() - 1).getSequence();
            cursors.put(host.id(), new Cursor(response.getEpoch(), last));
            if (!response.getMore()) {
                break;
            }
        }
        return stored;
    }

    void close() {
        perHost.shutdownNow();
    }
}
