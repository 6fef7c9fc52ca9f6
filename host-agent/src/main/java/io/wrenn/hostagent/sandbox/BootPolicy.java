package io.wrenn.hostagent.sandbox;

import java.time.Duration;

/**
 * How long a cold boot may take before the watchdog calls it hung, and how many boots to try.
 * Under TCG about one cold boot in 25 hangs silently (FACTS.md); a retry almost always works.
 */
public record BootPolicy(Duration deadline, int attempts) {

    public static final BootPolicy DEFAULT = new BootPolicy(Duration.ofSeconds(25), 3);

    public BootPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }
}
