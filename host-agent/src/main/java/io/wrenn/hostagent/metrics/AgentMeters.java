package io.wrenn.hostagent.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.vm.Accelerator;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host agent's Prometheus series. Labels are bounded: sandbox states, the operations below
 * and their outcome; never a sandbox or team id (those are product data, in PostgreSQL).
 *
 * <ul>
 *   <li>{@code wrenn_agent_sandboxes{state}}: this host's sandboxes by state;</li>
 *   <li>{@code wrenn_agent_accelerator{accelerator}}: 1 for the accelerator in use (kvm or tcg);</li>
 *   <li>{@code wrenn_agent_operation_seconds{operation,outcome}}: histogram of create (cold,
 *       from the image's warm snapshot, or from a snapshot), pause, resume and snapshot;</li>
 *   <li>{@code wrenn_agent_sampler_seconds}: one pass of the resource sampler;
 *       {@code wrenn_agent_sampler_cpu_seconds_total}: its thread's CPU time;
 *       {@code wrenn_agent_sampler_guest_reads_total}: guests asked for their figures;</li>
 *   <li>the agent JVM's memory, threads and CPU.</li>
 * </ul>
 */
public final class AgentMeters {

    /** The operations timed; a fixed set, so the label stays bounded. */
    public enum Operation {
        CREATE_COLD, CREATE_WARM, CREATE_SNAPSHOT, PAUSE, RESUME, SNAPSHOT;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer samplerPass;
    private final io.micrometer.core.instrument.Counter samplerCpu;
    private final io.micrometer.core.instrument.Counter guestReads;
    private final java.util.concurrent.atomic.AtomicLong samplerCpuNanos = new java.util.concurrent.atomic.AtomicLong();

    public AgentMeters(Supplier<List<Sandbox>> sandboxes, Supplier<Accelerator> accelerator) {
        for (Sandbox.State state : Sandbox.State.values()) {
            Gauge.builder("wrenn.agent.sandboxes", sandboxes,
                            list -> list.get().stream().filter(s -> s.state() == state).count())
                    .description("Sandboxes on this host by state")
                    .strongReference(true) // the supplier is a lambda only the gauge holds
                    .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
        for (Accelerator each : Accelerator.values()) {
            Gauge.builder("wrenn.agent.accelerator", accelerator, current -> current.get() == each ? 1 : 0)
                    .description("1 for the accelerator QEMU uses on this host")
                    .strongReference(true)
                    .tag("accelerator", each.wireName())
                    .register(registry);
        }
        samplerPass = Timer.builder("wrenn.agent.sampler")
                .description("One pass of the sandbox resource sampler")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20),
                        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
                .register(registry);
        samplerCpu = io.micrometer.core.instrument.Counter.builder("wrenn.agent.sampler.cpu")
                .baseUnit("seconds")
                .description("CPU time of the sampler's own thread (reading /proc and /sys, storing samples)")
                .register(registry);
        guestReads = io.micrometer.core.instrument.Counter.builder("wrenn.agent.sampler.guest.reads")
                .description("Reads of a guest's own figures (envd /metrics)")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Records how long an operation took and whether it succeeded. */
    public void record(Operation operation, boolean ok, Duration took) {
        Timer.builder("wrenn.agent.operation")
                .description("Sandbox operations on this host")
                .tag("operation", operation.label())
                .tag("outcome", ok ? "ok" : "error")
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(took);
    }

    /** Runs {@code work}, timing it as {@code operation}. */
    public <T> T timed(Operation operation, Supplier<T> work) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T result = work.get();
            ok = true;
            return result;
        } finally {
            record(operation, ok, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    void recordSamplerPass(Duration took, Duration cpu) {
        samplerPass.record(took);
        samplerCpu.increment(cpu.toNanos() / 1e9);
        samplerCpuNanos.addAndGet(cpu.toNanos());
    }

    void recordGuestRead() {
        guestReads.increment();
    }

    /** CPU time the sampler's thread has used since the agent started (for the benchmark). */
    public Duration samplerCpu() {
        return Duration.ofNanos(samplerCpuNanos.get());
    }

    /** Reads of guests' own figures since the agent started. */
    public long guestReads() {
        return (long) guestReads.count();
    }

    /** The text exposition format of every series. */
    public String scrape() {
        return registry.scrape();
    }
}
