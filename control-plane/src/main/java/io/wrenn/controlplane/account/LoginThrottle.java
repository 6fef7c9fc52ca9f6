package io.wrenn.controlplane.account;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import org.jdbi.v3.core.Jdbi;

/**
 * Slows password guessing, in the database so every control plane sees the same counts.
 *
 * <p>Two limits over a sliding window: failures for one account from one address, and failures
 * from one address over all accounts. There is deliberately no limit on one account over all
 * addresses: it would let anyone lock any person out by guessing wrong on purpose. A success
 * clears the account's failures from that address.
 */
public final class LoginThrottle {

    public static final int MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 10;
    public static final int MAX_FAILURES_PER_ADDRESS = 50;
    public static final int WINDOW_MINUTES = 15;

    private final Jdbi jdbi;

    public LoginThrottle(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** 429 if {@code address} may not try {@code email} now. */
    public void check(String email, String address) {
        boolean limited = jdbi.withHandle(h -> h.createQuery("""
                        SELECT (SELECT count(*) FROM login_failures WHERE email = :email AND client_address = :address
                                  AND failed_at > now() - make_interval(mins => :window)) >= :perPair
                            OR (SELECT count(*) FROM login_failures WHERE client_address = :address
                                  AND failed_at > now() - make_interval(mins => :window)) >= :perAddress""")
                .bind("email", email)
                .bind("address", address)
                .bind("window", WINDOW_MINUTES)
                .bind("perPair", MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS)
                .bind("perAddress", MAX_FAILURES_PER_ADDRESS)
                .mapTo(Boolean.class).one());
        if (limited) {
            throw new ApiException(ErrorCode.RATE_LIMITED, "too many failed logins: try again later");
        }
    }

    public void failed(String email, String address) {
        jdbi.useHandle(h -> {
            h.createUpdate("DELETE FROM login_failures WHERE failed_at < now() - make_interval(mins => :window)")
                    .bind("window", WINDOW_MINUTES).execute();
            h.createUpdate("INSERT INTO login_failures (email, client_address) VALUES (:email, :address)")
                    .bind("email", email).bind("address", address).execute();
        });
    }

    public void succeeded(String email, String address) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM login_failures WHERE email = :email AND client_address = :address")
                .bind("email", email).bind("address", address).execute());
    }
}
