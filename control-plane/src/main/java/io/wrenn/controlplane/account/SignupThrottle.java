package io.wrenn.controlplane.account;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import org.jdbi.v3.core.Jdbi;

/**
 * Bounds sign-ups per client address over a sliding hour, in the database so every control
 * plane counts the same. The address is the throttle key of {@code ClientAddress}: an IPv6
 * address counts by its /64 (one customer usually holds a whole /64).
 */
public final class SignupThrottle {

    private final Jdbi jdbi;
    private final int perHour;

    public SignupThrottle(Jdbi jdbi, int perHour) {
        this.jdbi = jdbi;
        this.perHour = perHour;
    }

    /** Counts a sign-up from {@code address}; 429 when it already made as many this hour as allowed. */
    public void record(String address) {
        jdbi.useTransaction(h -> {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) AS locked")
                    .bind("key", "signup:" + address).mapTo(Integer.class).one();
            h.createUpdate("DELETE FROM signup_events WHERE signed_up_at < now() - interval '1 hour'").execute();
            int recent = h.createQuery("SELECT count(*) FROM signup_events WHERE client_address = :address")
                    .bind("address", address).mapTo(Integer.class).one();
            if (recent >= perHour) {
                throw new ApiException(ErrorCode.RATE_LIMITED, "too many sign-ups from your address: try again later");
            }
            h.createUpdate("INSERT INTO signup_events (client_address) VALUES (:address)").bind("address", address).execute();
        });
    }
}
