package io.wrenn.controlplane.metrics;

import io.wrenn.controlplane.ids.WireId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Team and platform usage: now, the 30-day peaks and a series over a named range, each step
 * holding the highest value sampled within it.
 */
final class UsageStats {

    /** The ranges and their steps: about 30 to 120 points each. */
    static final Map<String, Duration> RANGES = Map.of(
            "5m", Duration.ofMinutes(5), "1h", Duration.ofHours(1), "6h", Duration.ofHours(6),
            "24h", Duration.ofHours(24), "30d", Duration.ofDays(30));
    private static final Map<String, Duration> STEPS = Map.of(
            "5m", Duration.ofSeconds(10), "1h", Duration.ofSeconds(30), "6h", Duration.ofMinutes(3),
            "24h", Duration.ofMinutes(12), "30d", Duration.ofHours(6));

    private final MetricsStore store;
    private final Clock clock;

    UsageStats(MetricsStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A team's stats ({@code teamId} null: the whole platform). */
    Map<String, Object> stats(UUID teamId, String range) {
        String name = range == null ? "1h" : range;
        TimeRange asked = TimeRange.parse(name, null, null, RANGES, "1h", null, clock.instant());
        Duration step = STEPS.get(name);
        Map<Instant, Usage> series = store.usageSeries(teamId, asked, step);
        List<Map<String, Object>> points = new ArrayList<>();
        for (Instant ts : SandboxMetrics.Steps.of(asked, step)) {
            Usage usage = series.get(ts);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("timestamp", ts.getEpochSecond());
            if (usage == null) {
                for (String key : List.of("running", "paused", "vcpus_reserved", "memory_mb_reserved", "vcpus_used", "memory_used_bytes")) {
                    point.put(key, null);
                }
            } else {
                point.putAll(usage.json());
            }
            points.add(point);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("range", name);
        json.put("start", asked.start().getEpochSecond());
        json.put("end", asked.end().getEpochSecond());
        json.put("step_seconds", step.toSeconds());
        Usage now = store.usageNow(teamId);
        json.put("current", now.json());
        // The samples are taken every few seconds; now is a sample too, so no peak is below it.
        json.put("peaks", store.peaks(teamId).max(now).json());
        json.put("points", points);
        return json;
    }

    /** The platform's stats plus each host's capacity and what it holds now. */
    Map<String, Object> platform(String range) {
        Map<String, Object> json = stats(null, range);
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (HostUsage host : store.hostsNow()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("host_id", WireId.HOST.encode(host.id()));
            entry.put("name", host.name());
            entry.put("status", host.status());
            entry.put("accelerator", host.accelerator());
            entry.put("cpu_count", host.cpuCount());
            entry.put("memory_mb", host.memoryMb());
            entry.put("current", host.usage().json());
            hosts.add(entry);
        }
        json.put("hosts", hosts);
        return json;
    }
}
