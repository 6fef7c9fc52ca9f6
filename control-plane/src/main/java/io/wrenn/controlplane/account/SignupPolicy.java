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
 * <p>A password sign-up that carries a pending invitation made out to its email is admitted
 * whatever the mode, {@code CLOSED} and {@code DOMAINS} included: a team's owner or admin chose
 * that person, which is what each mode asks for (the account joins the inviting team in the same
 * transaction; see {@code AccountRoutes}). The policy is consulted only for sign-ups without
 * one. A first OAuth login carries no invitation, so under {@code INVITATIONS} it is refused
 * ({@code signup_closed}) like under {@code CLOSED}: such a person signs up with a password from
 * the invitation's link, and may link the provider by logging in with it afterwards.
 *
 * @param mode                {@code OPEN} (anyone), {@code CLOSED} (nobody: people get accounts
 *                            from an admin), {@code DOMAINS} (only email addresses of {@code domains}),
 *                            {@code INVITATIONS} (only people holding an invitation)
 * @param domains             the email domains {@code DOMAINS} admits, lower case
 * @param perAddressPerHour   sign-ups one client address (an IPv6 one by its /64) may make per hour
 * @param keysPerUserPerHour  API keys one person may create per hour
 */
public record SignupPolicy(Mode mode, List<String> domains, int perAddressPerHour, int keysPerUserPerHour) {

    public enum Mode { OPEN, CLOSED, DOMAINS, INVITATIONS }

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

    /** Whether {@code email} (already validated) may sign up under this policy without an invitation. */
    public boolean admits(String email) {
        return switch (mode) {
            case OPEN -> true;
            case CLOSED, INVITATIONS -> false;
            case DOMAINS -> domains.contains(email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT));
        };
    }

    /** Refuses ({@code 403 signup_closed}) a new account for {@code email} (already validated) this policy does not admit. */
    public void requireAdmits(String email) {
        if (!admits(email)) {
            throw new ApiException(ErrorCode.SIGNUP_CLOSED, switch (mode) {
                case INVITATIONS -> "sign-up here is by invitation only: ask a team's owner or admin to invite you";
                case DOMAINS -> "sign-up is open only to some email domains, not this one";
                default -> "sign-up is closed here: ask an admin for an account";
            });
        }
    }
}
