package io.wrenn.hostagent.sandbox;

import java.time.Duration;

/**
 * How long a cold boot may stay silent before the watchdog calls it hung, how many boots to try,
 * and how much longer a boot that is merely slow may take. Under TCG a cold boot can hang
 * silently before the guest prints anything (FACTS.md; a retry almost always works); a boot
 * whose console has spoken is making progress, only slowly (a busy host), and killing it would
 * make the retry as slow again: it gets {@code slowBootGrace} more before it counts as hung.
 */
public record BootPolicy(Duration deadline, int attempts, Duration slowBootGrace) {

    /** How much longer a cold boot whose console shows progress may take, beyond the deadline. */
    public static final Duration SLOW_BOOT_GRACE = Duration.ofSeconds(90);

    public static final BootPolicy DEFAULT = new BootPolicy(Duration.ofSeconds(25), 3, SLOW_BOOT_GRACE);

    /** A policy without grace: a boot not up by the deadline is retried or given up. */
    public BootPolicy(Duration deadline, int attempts) {
        this(deadline, attempts, Duration.ZERO);
    }

    public BootPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
        if (slowBootGrace.isNegative()) {
            throw new IllegalArgumentException("slowBootGrace must not be negative");
        }
    }
}
