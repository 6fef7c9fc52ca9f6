package io.wrenn.controlplane.account;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Tokens;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.team.TeamStore;
import java.util.Optional;
import java.util.UUID;

/** Sign-up, login, password change and team switching; each ends in a fresh token. */
public final class AccountService {

    private final UserStore users;
    private final TeamStore teams;
    private final Passwords passwords;
    private final LoginThrottle throttle;
    private final Tokens tokens;
    private final EmailVerifications verifications;
    /** Empty when the operator configured no SMTP server: then addresses cannot be verified. */
    private final Optional<AccountMails> mails;

    public AccountService(UserStore users, TeamStore teams, Passwords passwords, LoginThrottle throttle, Tokens tokens,
                          EmailVerifications verifications, Optional<AccountMails> mails) {
        this.users = users;
        this.teams = teams;
        this.passwords = passwords;
        this.throttle = throttle;
        this.tokens = tokens;
        this.verifications = verifications;
        this.mails = mails;
    }

    /** Whether sign-ups are verified by mail (an SMTP server is configured). */
    public boolean verifiesByMail() {
        return mails.isPresent();
    }

    /** A token and what it stands for. {@code team} is empty for a person in no team. */
    public record Session(Tokens.Issued token, UserStore.User user, Optional<TeamStore.Membership> team) {
    }

    /**
     * A new person with a team of their own, or, with {@code invitationHash}, a member of the team
     * that invited them (the invitation spent in the same transaction). Without mail: the address
     * stays unverified (nothing proved it), and a taken address is refused (409).
     */
    public Session signup(String email, String name, String password, Optional<byte[]> invitationHash) {
        PasswordPolicy.check("password", password, email, name);
        String hash = passwords.hash(password);
        UserStore.Created created = invitationHash.isPresent()
                ? users.createInvited(email, name, hash, invitationHash.get(), false)
                : users.createWithTeam(email, name, hash, false, false);
        return session(users.find(created.userId()).orElseThrow(), created.teamId());
    }

    /**
     * A sign-up when mail is configured: nothing about the answer tells a new address from a
     * taken one. Both hash the password and queue one mail: a new address gets the link that makes
     * the account ({@link #verify}), a taken one a notice that someone tried.
     */
    public void signupByMail(String email, String name, String password, Optional<byte[]> invitationHash) {
        AccountMails mail = mails.orElseThrow();
        PasswordPolicy.check("password", password, email, name);
        String hash = passwords.hash(password);
        if (users.findByEmail(email).isPresent()) {
            mail.alreadyRegistered(email);
        } else {
            mail.verification(email, verifications.startSignup(email, name, hash, invitationHash.orElse(null)), true);
        }
    }

    /**
     * Follows a mailed link, once: a waiting sign-up becomes a verified account (with its team, or
     * in the inviting team), or an account's address becomes verified. Either way the person is
     * logged in, as the link proved they read the address. 404 for any token that is not live.
     */
    public Session verify(String token) {
        EmailVerifications.Pending pending = verifications.consume(token)
                .orElseThrow(() -> new ApiException(ErrorCode.VERIFICATION_NOT_FOUND,
                        "no such verification link: it may have expired or been used; sign up or ask for a new link"));
        UUID userId;
        UUID teamId;
        if (pending.isSignup()) {
            // The address may have got an account since (another of its links, an OAuth login):
            // then this one is refused with 409, which only the address's owner can see.
            UserStore.Created created = pending.invitationHash() != null
                    ? users.createInvited(pending.email(), pending.name(), pending.passwordHash(), pending.invitationHash(), true)
                    : users.createWithTeam(pending.email(), pending.name(), pending.passwordHash(), false, true);
            verifications.forgetSignups(pending.email());
            userId = created.userId();
            teamId = created.teamId();
        } else {
            users.markVerified(pending.userId(), pending.email());
            userId = pending.userId();
            teamId = users.defaultTeam(userId).orElse(null);
        }
        UserStore.User user = users.find(userId).orElseThrow();
        if (user.disabled()) {
            throw new ApiException(ErrorCode.ACCOUNT_DISABLED, "this account is disabled");
        }
        return session(user, teamId);
    }

    /**
     * Mails a fresh link to a person who knows the password: for their sign-up still waiting, or
     * for their account whose address is not verified yet. Says nothing either way (the caller
     * answers the same whatever happened), and costs one password check either way.
     */
    public void resendVerification(String email, String password) {
        AccountMails mail = mails.orElseThrow(() -> new ApiException(ErrorCode.MAIL_NOT_CONFIGURED,
                "this Wrenn sends no mail: its operator configured no SMTP server"));
        Optional<UserStore.User> user = users.findByEmail(email);
        if (user.isPresent()) {
            if (passwords.verify(password, user.get().passwordHash()) && !user.get().emailVerified() && !user.get().disabled()) {
                mail.verification(email, verifications.startForAccount(user.get().id(), email), false);
            }
            return;
        }
        Optional<EmailVerifications.Pending> pending = verifications.newestSignup(email);
        if (passwords.verify(password, pending.map(EmailVerifications.Pending::passwordHash).orElse(null))) {
            mail.verification(email, verifications.renew(pending.get()), true);
        }
    }

    /**
     * Mails the signed-in person a link that verifies their account's current address (a link
     * mailed before stops working). Refused with 409 when the address is verified already or no
     * mail is configured, and with 429 (and how long to wait) when the address got as many mails
     * this hour as it may: the person asks for their own address, so saying so reveals nothing.
     * Returns the address the link went to.
     */
    public String requestVerification(UUID userId) {
        AccountMails mail = mails.orElseThrow(() -> new ApiException(ErrorCode.MAIL_NOT_CONFIGURED,
                "this Wrenn sends no mail, so it cannot verify addresses: its operator configured no SMTP server"));
        UserStore.User user = users.find(userId).orElseThrow();
        if (user.emailVerified()) {
            throw new ApiException(ErrorCode.EMAIL_ALREADY_VERIFIED, "your address is verified already");
        }
        mail.waitBeforeNext(user.email()).ifPresent(wait -> {
            throw new ApiException(ErrorCode.RATE_LIMITED,
                    "your address got as many mails this hour as it may: try again later", wait);
        });
        mail.verification(user.email(), verifications.startForAccount(userId, user.email()), false);
        return user.email();
    }

    /**
     * Logs in, throttled per account and address. Every failure (no such account, no password,
     * wrong password) says the same thing and costs the same time.
     */
    public Session login(String email, String password, String clientAddress) {
        throttle.check(email, clientAddress);
        Optional<UserStore.User> user = users.findByEmail(email);
        if (user.isEmpty() && mails.isPresent()) {
            // No account yet, perhaps a sign-up waiting for its link: its password (one check,
            // as for an account) tells its author, and only them, to open the mail.
            Optional<EmailVerifications.Pending> pending = verifications.newestSignup(email);
            if (passwords.verify(password, pending.map(EmailVerifications.Pending::passwordHash).orElse(null))) {
                throttle.succeeded(email, clientAddress);
                throw new ApiException(ErrorCode.EMAIL_UNVERIFIED,
                        "confirm your email address first: open the link mailed to it, or ask for a new one");
            }
            throttle.failed(email, clientAddress);
            throw new ApiException(ErrorCode.UNAUTHORIZED, "wrong email or password");
        }
        if (!passwords.verify(password, user.map(UserStore.User::passwordHash).orElse(null))) {
            throttle.failed(email, clientAddress);
            throw new ApiException(ErrorCode.UNAUTHORIZED, "wrong email or password");
        }
        throttle.succeeded(email, clientAddress);
        // Only someone who knows the password learns that the account is disabled.
        if (user.get().disabled()) {
            throw new ApiException(ErrorCode.ACCOUNT_DISABLED, "this account is disabled");
        }
        return session(user.get(), users.defaultTeam(user.get().id()).orElse(null));
    }

    /** Sets a new password; every older token stops working, so the answer carries a new one. */
    public Session changePassword(UUID userId, UUID currentTeam, String current, String next, String clientAddress) {
        UserStore.User user = users.find(userId).orElseThrow();
        throttle.check(user.email(), clientAddress);
        if (!passwords.verify(current, user.passwordHash())) {
            throttle.failed(user.email(), clientAddress);
            throw new ApiException(ErrorCode.FORBIDDEN, "the current password is wrong");
        }
        PasswordPolicy.check("new_password", next, user.email(), user.name());
        users.changePassword(userId, passwords.hash(next));
        return session(users.find(userId).orElseThrow(), currentTeam);
    }

    /** A token for {@code teamId}, which the person must belong to (the caller checked it). */
    public Session session(UserStore.User user, UUID teamId) {
        Optional<TeamStore.Membership> team = Optional.ofNullable(teamId).flatMap(t -> teams.membership(t, user.id()));
        return new Session(tokens.issue(user.id(), team.map(TeamStore.Membership::teamId).orElse(null), user.generation()),
                user, team);
    }

    public Session session(UUID userId, UUID teamId) {
        return session(users.find(userId).orElseThrow(), teamId);
    }
}
