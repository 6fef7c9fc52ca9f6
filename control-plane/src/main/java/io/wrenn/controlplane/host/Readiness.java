package io.wrenn.controlplane.host;

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

    private final HostStore hosts;

    public Readiness(HostStore hosts) {
        this.hosts = hosts;
    }

    /** Empty when ready; otherwise why not, in words for an operator. */
    public Optional<String> notReadyReason() {
        try {
            return hosts.online().isEmpty() ? Optional.of("no host is online yet") : Optional.empty();
        } catch (RuntimeException e) {
            log.warn("readiness: the database does not answer: {}", e.toString());
            return Optional.of("the database does not answer");
        }
    }
}
