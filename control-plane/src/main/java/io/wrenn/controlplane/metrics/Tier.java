package io.wrenn.controlplane.metrics;

import java.time.Duration;

/** The steps sandbox series are kept at, and for how long. */
enum Tier {
    /** The raw samples of the hosts. */
    FINE(0, Duration.ofSeconds(5), Duration.ofHours(6), Duration.ofHours(2)),
    MINUTE(1, Duration.ofMinutes(1), Duration.ofDays(7), Duration.ofDays(1)),
    HOUR(2, Duration.ofHours(1), Duration.ofDays(30), Duration.ofDays(30));

    final int id;
    final Duration step;
    final Duration kept;
    /** The longest range answered from this tier (so a series has at most ~1,440 points). */
    final Duration widest;

    Tier(int id, Duration step, Duration kept, Duration widest) {
        this.id = id;
        this.step = step;
        this.kept = kept;
        this.widest = widest;
    }

    /** The finest tier that still holds {@code start} and answers {@code span} in few enough points. */
    static Tier forRange(java.time.Instant start, Duration span, java.time.Instant now) {
        for (Tier tier : values()) {
            if (span.compareTo(tier.widest) <= 0 && !start.isBefore(now.minus(tier.kept))) {
                return tier;
            }
        }
        return HOUR;
    }
}
