package io.wrenn.controlplane.metrics;

import io.wrenn.controlplane.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;

/**
 * A range of time asked for in a query: a named one ({@code range=1h}, ending now) or explicit
 * Unix seconds ({@code start}, {@code end}). The end never lies in the future: a range that ends
 * later is cut at now, so no step that has not happened yet is ever answered.
 */
record TimeRange(Instant start, Instant end) {

    /** The longest range kept. */
    static final Duration LONGEST = Duration.ofDays(30);

    /** The names {@code GET /v1/sandboxes/{id}/metrics} takes. */
    static final Map<String, Duration> SANDBOX_RANGES = Map.of(
            "5m", Duration.ofMinutes(5), "10m", Duration.ofMinutes(10), "1h", Duration.ofHours(1),
            "2h", Duration.ofHours(2), "6h", Duration.ofHours(6), "12h", Duration.ofHours(12),
            "24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    Duration span() {
        return Duration.between(start, end);
    }

    /**
     * The range of a query: {@code range} (one of {@code names}) or {@code start}/{@code end} (Unix
     * seconds; either may be left out: the start defaults to {@code defaultStart}, the end to now),
     * never both. Anything malformed, a start after the end or a span over 30 days is 400.
     */
    static TimeRange parse(String range, String start, String end, Map<String, Duration> names, String defaultRange,
            Instant defaultStart, Instant now) {
        if (range != null && (start != null || end != null)) {
            throw ApiException.invalid("give either 'range' or 'start'/'end', not both");
        }
        if (start == null && end == null) {
            String name = range == null ? defaultRange : range;
            Duration span = names.get(name);
            if (span == null) {
                throw ApiException.invalid("'range' must be one of " + String.join(", ", sorted(names)));
            }
            return new TimeRange(now.minus(span), now);
        }
        Instant to = end == null ? now : seconds("end", end);
        Instant from = start == null ? defaultStart : seconds("start", start);
        if (to.isAfter(now)) {
            to = now;
        }
        if (from.isAfter(to)) {
            if (start != null && end != null && seconds("start", start).isAfter(seconds("end", end))) {
                throw ApiException.invalid("'start' must not be after 'end'");
            }
            from = to; // a range wholly in the future: empty, ending now
        }
        if (Duration.between(from, to).compareTo(LONGEST) > 0) {
            throw ApiException.invalid("a range spans at most 30 days");
        }
        return new TimeRange(from, to);
    }

    /**
     * E2B's range: {@code start}/{@code end} in Unix seconds, defaults the sandbox's creation
     * ({@code defaultStart}) and now; the end is cut at now and the start at the sandbox's creation
     * or 30 days before the end (older steps are not kept), whichever is later, never refused for being long; a start after the end is 400.
     * Empty when the range starts in the future: no step of it has happened yet.
     */
    static java.util.Optional<TimeRange> parseE2b(String start, String end, Instant defaultStart, Instant now) {
        Instant to = end == null ? now : seconds("end", end);
        Instant from = start == null ? defaultStart : seconds("start", start);
        if (start != null && end != null && from.isAfter(to)) {
            throw ApiException.invalid("'start' must not be after 'end'");
        }
        if (from.isAfter(now)) {
            return java.util.Optional.empty();
        }
        to = to.isAfter(now) ? now : to;
        // Nothing was measured before the sandbox existed: a start before it (start=0) must not
        // make the range, and with it the step, longer than the sandbox's life.
        Instant oldest = Collections.max(java.util.List.of(to.minus(LONGEST), defaultStart.isAfter(to) ? to : defaultStart));
        return java.util.Optional.of(new TimeRange(from.isBefore(oldest) ? oldest : from, to));
    }

    private static Instant seconds(String name, String value) {
        if (!value.matches("\\d{1,11}")) {
            throw ApiException.invalid("'" + name + "' must be a Unix time in seconds");
        }
        return Instant.ofEpochSecond(Long.parseLong(value));
    }

    private static java.util.List<String> sorted(Map<String, Duration> names) {
        return names.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
    }
}
