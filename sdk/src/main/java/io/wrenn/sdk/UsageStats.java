package io.wrenn.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The team's usage: now, its 30-day peaks and a series over a range, each step holding the
 * highest value sampled in it.
 *
 * @param range   the range's name ({@code 1h})
 * @param start   start of the range
 * @param end     end of the range (now)
 * @param step    length of each step
 * @param current usage now
 * @param peaks   the highest usage of the last 30 days
 * @param points  every step of the range; {@code usage} null where nothing was sampled
 */
public record UsageStats(String range, Instant start, Instant end, Duration step, Usage current, Usage peaks,
                         List<Point> points) {
    public UsageStats {
        points = List.copyOf(points);
    }

    /**
     * What the team's sandboxes hold and use. A running sandbox reserves its vCPUs and memory, a
     * paused one half its memory and no vCPU.
     *
     * @param running          running sandboxes
     * @param paused           paused sandboxes
     * @param vcpusReserved    vCPUs reserved
     * @param memoryMbReserved memory reserved, MiB
     * @param vcpusUsed        vCPUs busy (Σ CPU % × vCPUs)
     * @param memoryUsedBytes  memory in use inside the running sandboxes
     */
    public record Usage(long running, long paused, long vcpusReserved, long memoryMbReserved, double vcpusUsed,
                        long memoryUsedBytes) {
    }

    /**
     * One step of the series.
     *
     * @param timestamp start of the step
     * @param usage     the highest usage sampled in it, or null when none was
     */
    public record Point(Instant timestamp, Usage usage) {
    }
}
