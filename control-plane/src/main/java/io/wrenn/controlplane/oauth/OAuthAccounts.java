package io.wrenn.controlplane.oauth;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.account.Emails;
import io.wrenn.controlplane.account.SignupPolicy;
import io.wrenn.controlplane.account.UserStore;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Names;
import io.wrenn.controlplane.team.TeamStore;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Finds the person behind a provider login: by the provider's id for them; else by their
 * verified email (the identity is linked to that existing account, if its address was verified
 * too); else a new account with a default team, if the operator's {@link SignupPolicy} admits
 * the email (a first login is a sign-up). In one transaction, so two first logins at once make
 * one account.
 *
 * <p>An account whose address was never verified is never linked (409 {@code account_unverified}):
 * anyone may sign up with a password and someone else's address, and linking would hand the
 * address's owner, arriving through their provider, an account its squatter holds the password of.
 */
public final class OAuthAccounts {

    /** Serialises first logins (pg_advisory_xact_lock), so one email never gets two accounts. */
    private static final long LOCK_ID = 0x7772656e6e_02L;

    private final Jdbi jdbi;
    private final UserStore users;
    private final SignupPolicy signupPolicy;

    public OAuthAccounts(Jdbi jdbi, UserStore users, SignupPolicy signupPolicy) {
        this.jdbi = jdbi;
        this.users = users;
        this.signupPolicy = signupPolicy;
    }

    public record Login(UUID userId, Optional<UUID> teamId, boolean created) {
    }

    Login login(String provider, OAuthClient.Profile profile) {
        String email = Emails.require("email", profile.email());
        Login login = jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(?)", LOCK_ID);
            Optional<UUID> linked = h.createQuery("SELECT user_id FROM oauth_identities WHERE provider = :p AND subject = :s")
                    .bind("p", provider).bind("s", profile.subject()).mapTo(UUID.class).findOne();
            if (linked.isPresent()) {
                return new Login(linked.get(), Optional.empty(), false);
            }
            Optional<UUID> existing = h.createQuery("SELECT id FROM users WHERE email = :email").bind("email", email)
                    .mapTo(UUID.class).findOne();
            boolean created = existing.isEmpty();
            if (!created && !verified(h, existing.get())) {
                throw new ApiException(ErrorCode.ACCOUNT_UNVERIFIED, "an account with this email exists, but its address was "
                        + "never verified, so it is not linked to your " + provider + " login: log in with its password"
                        + " (and verify the address from the link Wrenn mails, where mail is set up), then try again");
            }
            if (created) {
                // Refused before anything is written: the identity stays unlinked, so a later
                // login, once the policy admits the email, is a first login again.
                signupPolicy.requireAdmits(email);
            }
            UUID userId = existing.orElseGet(() -> createUser(h, email, displayName(profile)));
            h.createUpdate("INSERT INTO oauth_identities (provider, subject, user_id) VALUES (:p, :s, :u)")
                    .bind("p", provider).bind("s", profile.subject()).bind("u", userId).execute();
            return new Login(userId, Optional.empty(), created);
        });
        UserStore.User user = users.find(login.userId()).orElseThrow();
        if (user.disabled()) {
            throw new ApiException(ErrorCode.ACCOUNT_DISABLED, "this account is disabled");
        }
        return new Login(login.userId(), users.defaultTeam(login.userId()), login.created());
    }

    private static boolean verified(Handle h, UUID userId) {
        return h.createQuery("SELECT email_verified_at IS NOT NULL FROM users WHERE id = :id").bind("id", userId)
                .mapTo(Boolean.class).one();
    }

    /** The provider vouched for the address: the account is verified from the start. */
    private static UUID createUser(Handle h, String email, String name) {
        UUID id = UUID.randomUUID();
        h.createUpdate("INSERT INTO users (id, email, name, email_verified_at) VALUES (:id, :email, :name, now())")
                .bind("id", id).bind("email", email).bind("name", name).execute();
        TeamStore.insertWithOwner(h, UserStore.DEFAULT_TEAM_NAME, id);
        return id;
    }

    /** The provider's name for the person if it is a valid name here, else their login, else a plain word. */
    private static String displayName(OAuthClient.Profile profile) {
        for (String candidate : new String[] {profile.name(), profile.login()}) {
            if (candidate != null) {
                try {
                    return Names.require("name", candidate);
                } catch (ApiException invalid) {
                    // try the next one
                }
            }
        }
        return "user";
    }
}
