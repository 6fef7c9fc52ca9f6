package io.wrenn.controlplane.account;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Who may get a new account, set by the operator. It holds every way an account is made by the
 * person themself: a password sign-up and a first OAuth login with an email Wrenn does not know.
 *
 * @param mode                {@code OPEN} (anyone), {@code CLOSED} (nobody: people get accounts
 *                            from an admin), {@code DOMAINS} (only email addresses of {@code domains})
 * @param domains             the email domains {@code DOMAINS} admits, lower case
 * @param perAddressPerHour   sign-ups one client address (an IPv6 one by its /64) may make per hour
 * @param keysPerUserPerHour  API keys one person may create per hour
 */
public record SignupPolicy(Mode mode, List<String> domains, int perAddressPerHour, int keysPerUserPerHour) {

    public enum Mode { OPEN, CLOSED, DOMAINS }

    public SignupPolicy {
        Objects.requireNonNull(mode, "mode is null");
        domains = Objects.requireNonNull(domains, "domains is null").stream().map(d -> d.strip().toLowerCase(Locale.ROOT)).toList();
        if (mode == Mode.DOMAINS && domains.isEmpty()) {
            throw new IllegalArgumentException("sign-up restricted to domains, but no domain is given");
        }
        if (perAddressPerHour < 1 || keysPerUserPerHour < 1) {
            throw new IllegalArgumentException("sign-up and key limits must be at least 1");
        }
    }

    public static SignupPolicy defaults() {
        return new SignupPolicy(Mode.OPEN, List.of(), 10, 30);
    }

    /** Whether {@code email} (already validated) may sign up under this policy. */
    public boolean admits(String email) {
        return switch (mode) {
            case OPEN -> true;
            case CLOSED -> false;
            case DOMAINS -> domains.contains(email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT));
        };
    }

    /** Refuses ({@code 403 signup_closed}) a new account for {@code email} (already validated) this policy does not admit. */
    public void requireAdmits(String email) {
        if (!admits(email)) {
            throw new ApiException(ErrorCode.SIGNUP_CLOSED, mode == Mode.CLOSED
                    ? "sign-up is closed here: ask an admin for an account"
                    : "sign-up is open only to some email domains, not this one");
        }
    }
}
