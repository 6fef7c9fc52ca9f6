package io.wrenn.controlplane.metrics;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.Sandbox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads a sandbox's series, for Wrenn's route (every step, gaps as nulls) and for E2B's (only
 * the steps measured, as E2B's SDKs expect numbers). A sandbox's series outlives its pause and
 * its destroy: it is read from the database, never from the host.
 */
public final class SandboxMetrics {

    private final MetricsStore store;
    private final Clock clock;

    SandboxMetrics(MetricsStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** {@code GET /v1/sandboxes/{id}/metrics}: the series over the asked range, one entry per step. */
    Map<String, Object> series(Sandbox sandbox, String range, String start, String end) {
        Instant now = clock.instant();
        TimeRange asked = TimeRange.parse(range, start, end, TimeRange.SANDBOX_RANGES, "10m", sandbox.createdAt(), now);
        Tier tier = Tier.forRange(asked.start(), asked.span(), now);
        Map<Instant, Point> points = store.sandboxPoints(sandbox.id(), tier, asked);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Instant ts : Steps.of(asked, tier.step)) {
            out.add(json(ts, points.get(ts)));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sandbox_id", WireId.SANDBOX.encode(sandbox.id()));
        json.put("start", asked.start().getEpochSecond());
        json.put("end", asked.end().getEpochSecond());
        json.put("step_seconds", tier.step.toSeconds());
        json.put("points", out);
        return json;
    }

    /**
     * E2B's {@code GET /sandboxes/{id}/metrics?start&end}: the measured steps between {@code start}
     * (default: the sandbox's creation) and {@code end} (default and at most: now), oldest first.
     */
    public List<Map<String, Object>> e2b(Sandbox sandbox, String start, String end) {
        Instant now = clock.instant();
        TimeRange asked = TimeRange.parseE2b(start, end, sandbox.createdAt(), now).orElse(null);
        if (asked == null) {
            return List.of();
        }
        Tier tier = Tier.forRange(asked.start(), asked.span(), now);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Point point : store.sandboxPoints(sandbox.id(), tier, asked).values()) {
            out.add(e2bMetric(point));
        }
        return out;
    }

    /**
     * E2B's {@code GET /sandboxes/metrics}: the newest point of the last minute of each of
     * {@code wireIds} that is a sandbox of {@code teamId}, by id; the others are left out.
     */
    public Map<String, Map<String, Object>> e2bLatest(UUID teamId, List<String> wireIds) {
        Map<UUID, String> ids = new LinkedHashMap<>();
        for (String wireId : wireIds) {
            WireId.SANDBOX.decode(wireId).ifPresent(id -> ids.put(id, wireId));
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        store.newestPoints(teamId, List.copyOf(ids.keySet()), clock.instant().minus(Duration.ofMinutes(1)))
                .forEach((id, point) -> out.put(ids.get(id), e2bMetric(point)));
        return out;
    }

    private static Map<String, Object> e2bMetric(Point point) {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("timestamp", point.ts().toString());
        metric.put("timestampUnix", point.ts().getEpochSecond());
        metric.put("cpuCount", point.vcpus());
        metric.put("cpuUsedPct", (double) point.cpuPct());
        metric.put("memUsed", point.memUsedBytes());
        metric.put("memTotal", point.memTotalBytes());
        metric.put("diskUsed", point.diskUsedBytes());
        metric.put("diskTotal", point.diskTotalBytes());
        return metric;
    }

    private static Map<String, Object> json(Instant ts, Point point) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("timestamp", ts.getEpochSecond());
        json.put("cpu_pct", point == null ? null : (double) point.cpuPct());
        json.put("cpu_pct_max", point == null ? null : (double) point.cpuPctMax());
        json.put("mem_used_bytes", point == null ? null : point.memUsedBytes());
        json.put("mem_used_max_bytes", point == null ? null : point.memUsedMax());
        json.put("mem_total_bytes", point == null ? null : point.memTotalBytes());
        json.put("disk_used_bytes", point == null ? null : point.diskUsedBytes());
        json.put("disk_total_bytes", point == null ? null : point.diskTotalBytes());
        json.put("net_rx_bytes", point == null ? null : point.netRxBytes());
        json.put("net_tx_bytes", point == null ? null : point.netTxBytes());
        return json;
    }

    /** The starts of the steps of {@code step} that cover a range. */
    static final class Steps {
        private Steps() {
        }

        static List<Instant> of(TimeRange range, Duration step) {
            List<Instant> steps = new ArrayList<>();
            for (Instant ts = MetricsStore.floor(range.start(), step); !ts.isAfter(range.end()); ts = ts.plus(step)) {
                steps.add(ts);
            }
            return steps;
        }
    }
}
