package io.wrenn.controlplane.host;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a create would be accepted now: the database answers and a host is online. What
 * {@code /health} reports, and what {@code wrenn up} waits for before it says it is up.
 * Liveness (the process answers at all) is a separate, unconditional answer.
 */
public final class Readiness {

    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    /**
     * How long an answer is given again without asking the database: supervisors and load
     * balancers may poll {@code /health} thousands of times a second, and one query per poll would
     * make the probe the heaviest route of the API. A change shows within this much.
     */
    static final Duration FRESH_FOR = Duration.ofMillis(250);

    private final HostStore hosts;
    private volatile Answer last;

    private record Answer(Optional<String> reason, long atNanos) {
    }

    public Readiness(HostStore hosts) {
        this.hosts = hosts;
    }

    /** Empty when ready; otherwise why not, in words for an operator (at most {@link #FRESH_FOR} old). */
    public Optional<String> notReadyReason() {
        long now = System.nanoTime();
        Answer known = last;
        if (known != null && now - known.atNanos() < FRESH_FOR.toNanos()) {
            return known.reason();
        }
        Optional<String> reason = ask();
        last = new Answer(reason, now);
        return reason;
    }

    private Optional<String> ask() {
        try {
            return hosts.online().isEmpty() ? Optional.of("no host is online yet") : Optional.empty();
        } catch (RuntimeException e) {
            log.warn("readiness: the database does not answer: {}", e.toString());
            return Optional.of("the database does not answer");
        }
    }
}
