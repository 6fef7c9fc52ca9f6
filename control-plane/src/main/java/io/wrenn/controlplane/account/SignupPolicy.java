package io.wrenn.controlplane.account;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Who may sign up with a password, set by the operator.
 *
 * @param mode                {@code OPEN} (anyone), {@code CLOSED} (nobody: people get accounts from
 *                            an admin or OAuth login, as by invitation), {@code DOMAINS} (only email
 *                            addresses of {@code domains})
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
}
