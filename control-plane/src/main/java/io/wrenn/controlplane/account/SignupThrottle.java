package io.wrenn.controlplane.account;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.db.SlidingHourCount;
import org.jdbi.v3.core.Jdbi;

/**
 * Bounds sign-ups per client address over a sliding hour, in the database so every control
 * plane counts the same. The address is the throttle key of {@code ClientAddress}: an IPv6
 * address counts by its /64 (one customer usually holds a whole /64).
 */
public final class SignupThrottle {

    private final SlidingHourCount signups;

    public SignupThrottle(Jdbi jdbi, int perHour) {
        this.signups = new SlidingHourCount(jdbi, "signup_events", "client_address", "signed_up_at", perHour);
    }

    /** Counts a sign-up from {@code address}; 429 when it already made as many this hour as allowed. */
    public void record(String address) {
        if (!signups.tryCount(address)) {
            throw new ApiException(ErrorCode.RATE_LIMITED, "too many sign-ups from your address: try again later");
        }
    }
}
