package io.wrenn.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's Prometheus series. Every label has a bounded set of values: sandbox
 * states, create paths, outcomes, HTTP methods, route templates ({@code /v1/sandboxes/{id}},
 * never a real id), status classes and host names. Never a sandbox, team or user id.
 *
 * <ul>
 *   <li>{@code wrenn_sandboxes{state}}: sandboxes of the whole platform by state;</li>
 *   <li>{@code wrenn_sandbox_creates_total{path,outcome}} and
 *       {@code wrenn_sandbox_create_seconds{path,outcome}} (histogram): creates, by path
 *       {@code cold} (an image boots), {@code snapshot} (restored from a snapshot) or
 *       {@code resume} (a paused sandbox comes back);</li>
 *   <li>{@code wrenn_http_server_requests_seconds{method,route,status}} (histogram): API latency;</li>
 *   <li>{@code wrenn_build_queue_depth}, {@code wrenn_builds_running}: template builds waiting and running;</li>
 *   <li>{@code wrenn_host_up}, {@code wrenn_host_cpus}, {@code wrenn_host_memory_bytes},
 *       {@code wrenn_host_vcpus_reserved}, {@code wrenn_host_memory_reserved_bytes},
 *       {@code wrenn_host_sandboxes{host,state}}: each host's capacity and what it holds;</li>
 *   <li>the JVM's memory, threads and CPU.</li>
 * </ul>
 */
public final class ControlPlaneMeters {

    private static final Duration[] CREATE_BUCKETS = {
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};
    private static final Duration[] REQUEST_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<SandboxStatus, AtomicLong> byState = new ConcurrentHashMap<>();
    private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
    private final AtomicLong buildsQueued = new AtomicLong();
    private final AtomicLong buildsRunning = new AtomicLong();
    private final MultiGauge hostUp;
    private final MultiGauge hostCpus;
    private final MultiGauge hostMemory;
    private final MultiGauge hostVcpusReserved;
    private final MultiGauge hostMemoryReserved;
    private final MultiGauge hostSandboxes;

    public ControlPlaneMeters() {
        for (SandboxStatus status : SandboxStatus.values()) {
            AtomicLong count = new AtomicLong();
            byState.put(status, count);
            Gauge.builder("wrenn.sandboxes", count, AtomicLong::get)
                    .description("Sandboxes of the platform by state")
                    .tag("state", status.wire())
                    .register(registry);
        }
        Gauge.builder("wrenn.build.queue.depth", buildsQueued, AtomicLong::get)
                .description("Template builds waiting for a builder").register(registry);
        Gauge.builder("wrenn.builds.running", buildsRunning, AtomicLong::get)
                .description("Template builds running now").register(registry);
        hostUp = MultiGauge.builder("wrenn.host.up").description("1 while a host answers, 0 while it is unreachable").register(registry);
        hostCpus = MultiGauge.builder("wrenn.host.cpus").description("CPUs of a host").register(registry);
        hostMemory = MultiGauge.builder("wrenn.host.memory").baseUnit("bytes").description("Memory of a host").register(registry);
        hostVcpusReserved = MultiGauge.builder("wrenn.host.vcpus.reserved").description("vCPUs of the sandboxes a host runs").register(registry);
        hostMemoryReserved = MultiGauge.builder("wrenn.host.memory.reserved").baseUnit("bytes")
                .description("Memory a host's sandboxes hold (a paused one half its memory, rounded up)").register(registry);
        hostSandboxes = MultiGauge.builder("wrenn.host.sandboxes").description("Running and paused sandboxes of a host").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** A create or resume: {@code path} is {@code cold}, {@code snapshot} or {@code resume}. */
    public void created(String path, boolean ok, Duration took) {
        String outcome = ok ? "ok" : "error";
        Counter.builder("wrenn.sandbox.creates").description("Sandbox creates and resumes")
                .tags("path", path, "outcome", outcome).register(registry).increment();
        Timer.builder("wrenn.sandbox.create").description("Time from a create or resume call to a running sandbox")
                .tags("path", path, "outcome", outcome).serviceLevelObjectives(CREATE_BUCKETS)
                .register(registry).record(took);
    }

    /** One API request; {@code route} is the matched route's template, or {@code unmatched}. */
    public void request(String method, String route, int status, Duration took) {
        // Found in a map of its own: building and registering the timer again costs more than
        // the rest of a cheap request's bookkeeping. Keys are few (routes × methods × classes).
        requestTimers.computeIfAbsent(new RequestKey(method, route, status / 100), key ->
                Timer.builder("wrenn.http.server.requests").description("API requests by route")
                        .tags("method", key.method(), "route", key.route(), "status", key.statusClass() + "xx")
                        .serviceLevelObjectives(REQUEST_BUCKETS).register(registry)).record(took);
    }

    private record RequestKey(String method, String route, int statusClass) {
    }

    void sandboxCounts(Map<SandboxStatus, Long> counts) {
        byState.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status, 0L)));
    }

    void builds(Map<String, Long> byStatus) {
        buildsQueued.set(byStatus.getOrDefault("queued", 0L));
        buildsRunning.set(byStatus.getOrDefault("running", 0L));
    }

    void hosts(List<HostUsage> hosts) {
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        List<MultiGauge.Row<?>> cpus = new ArrayList<>();
        List<MultiGauge.Row<?>> memory = new ArrayList<>();
        List<MultiGauge.Row<?>> vcpus = new ArrayList<>();
        List<MultiGauge.Row<?>> reserved = new ArrayList<>();
        List<MultiGauge.Row<?>> sandboxes = new ArrayList<>();
        for (HostUsage host : hosts) {
            Tags tags = Tags.of("host", host.name());
            up.add(MultiGauge.Row.of(tags, "online".equals(host.status()) ? 1 : 0));
            cpus.add(MultiGauge.Row.of(tags, host.cpuCount()));
            memory.add(MultiGauge.Row.of(tags, host.memoryMb() << 20));
            vcpus.add(MultiGauge.Row.of(tags, host.usage().vcpusReserved()));
            reserved.add(MultiGauge.Row.of(tags, host.usage().memoryMbReserved() << 20));
            sandboxes.add(MultiGauge.Row.of(tags.and("state", "running"), host.usage().running()));
            sandboxes.add(MultiGauge.Row.of(tags.and("state", "paused"), host.usage().paused()));
        }
        hostUp.register(up, true);
        hostCpus.register(cpus, true);
        hostMemory.register(memory, true);
        hostVcpusReserved.register(vcpus, true);
        hostMemoryReserved.register(reserved, true);
        hostSandboxes.register(sandboxes, true);
    }

    /** The text exposition format of every series. */
    public String scrape() {
        return registry.scrape();
    }
}
