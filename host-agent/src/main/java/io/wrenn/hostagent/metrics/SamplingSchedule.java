package io.wrenn.hostagent.metrics;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the sampler every {@link #PERIOD} on a thread of its own and times each pass. */
public final class SamplingSchedule implements AutoCloseable {

    /** The sampling period: the finest step of every stored series. */
    public static final Duration PERIOD = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(SamplingSchedule.class);

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-sampler").daemon().factory());

    public SamplingSchedule(SandboxSampler sampler, AgentMeters meters) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        timer.scheduleAtFixedRate(() -> {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            try {
                sampler.tick();
            } catch (RuntimeException e) {
                LOG.warn("sampling pass failed", e);
            }
            meters.recordSamplerPass(Duration.ofNanos(System.nanoTime() - start),
                    Duration.ofNanos(Math.max(0, threads.getCurrentThreadCpuTime() - cpuStart)));
        }, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
