package io.wrenn.sdk.testing;

import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.SandboxMetrics;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.UsageStats;
import io.wrenn.sdk.WrennException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The fake's metrics, shaped as the server's: every step of a range, measured (idle figures)
 * where the sandbox ran, null elsewhere; team stats from what the fake holds now.
 */
final class FakeMetrics {
    private static final Map<MetricsRange, Duration> STATS_STEPS = Map.of(
            MetricsRange.MINUTES_5, Duration.ofSeconds(10), MetricsRange.HOUR_1, Duration.ofSeconds(30),
            MetricsRange.HOURS_6, Duration.ofMinutes(3), MetricsRange.HOURS_24, Duration.ofMinutes(12),
            MetricsRange.DAYS_30, Duration.ofHours(6));

    private FakeMetrics() {
    }

    static SandboxMetrics sandbox(SandboxInfo info, Instant stoppedAt, MetricsRange range) {
        Instant end = Instant.now();
        Duration span = span(range);
        Instant start = end.minus(span);
        Duration step = span.compareTo(Duration.ofHours(2)) <= 0 ? Duration.ofSeconds(5)
                : span.compareTo(Duration.ofDays(1)) <= 0 ? Duration.ofMinutes(1) : Duration.ofHours(1);
        List<SandboxMetrics.Point> points = new ArrayList<>();
        long memTotal = info.memoryMb() * 1024L * 1024L;
        long diskTotal = info.diskSizeMb() * 1024L * 1024L;
        for (Instant ts = floor(start, step); !ts.isAfter(end); ts = ts.plus(step)) {
            boolean alive = !ts.plus(step).isBefore(info.createdAt()) && (stoppedAt == null || ts.isBefore(stoppedAt))
                    && info.status() != SandboxStatus.PAUSED;
            points.add(alive
                    ? new SandboxMetrics.Point(ts, 0.0, 0.0, memTotal / 8, memTotal / 8, memTotal, 0L, diskTotal, 0L, 0L)
                    : new SandboxMetrics.Point(ts, null, null, null, null, null, null, null, null, null));
        }
        return new SandboxMetrics(info.id(), start, end, step, points);
    }

    static UsageStats team(Collection<SandboxInfo> sandboxes, MetricsRange range) {
        Duration step = STATS_STEPS.get(range);
        if (step == null) {
            throw new WrennException.InvalidRequestException("invalid_request", 400,
                    "'range' must be one of 5m, 1h, 6h, 24h, 30d");
        }
        long running = 0;
        long paused = 0;
        long vcpus = 0;
        long memoryMb = 0;
        long memoryUsed = 0;
        for (SandboxInfo info : sandboxes) {
            if (info.status() == SandboxStatus.RUNNING) {
                running++;
                vcpus += info.vcpus();
                memoryMb += info.memoryMb();
                memoryUsed += info.memoryMb() * 1024L * 1024L / 8;
            } else if (info.status() == SandboxStatus.PAUSED) {
                paused++;
                memoryMb += (info.memoryMb() + 1) / 2;
            }
        }
        UsageStats.Usage now = new UsageStats.Usage(running, paused, vcpus, memoryMb, 0.0, memoryUsed);
        Instant end = Instant.now();
        Instant start = end.minus(span(range));
        List<UsageStats.Point> points = new ArrayList<>();
        for (Instant ts = floor(start, step); !ts.isAfter(end); ts = ts.plus(step)) {
            points.add(new UsageStats.Point(ts, ts.plus(step).isAfter(end) ? now : null));
        }
        return new UsageStats(range.wire(), start, end, step, now, now, points);
    }

    private static Duration span(MetricsRange range) {
        String wire = range.wire();
        long amount = Long.parseLong(wire.substring(0, wire.length() - 1));
        switch (wire.charAt(wire.length() - 1)) {
            case 'm':
                return Duration.ofMinutes(amount);
            case 'h':
                return Duration.ofHours(amount);
            default:
                return Duration.ofDays(amount);
        }
    }

    private static Instant floor(Instant instant, Duration step) {
        long seconds = step.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), seconds) * seconds);
    }
}
