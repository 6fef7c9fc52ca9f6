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

    public AccountService(UserStore users, TeamStore teams, Passwords passwords, LoginThrottle throttle, Tokens tokens) {
        this.users = users;
        this.teams = teams;
        this.passwords = passwords;
        this.throttle = throttle;
        this.tokens = tokens;
    }

    /** A token and what it stands for. {@code team} is empty for a person in no team. */
    public record Session(Tokens.Issued token, UserStore.User user, Optional<TeamStore.Membership> team) {
    }

    /**
     * A new person with a team of their own, or, with {@code invitationHash}, a member of the team
     * that invited them (the invitation spent in the same transaction).
     */
    public Session signup(String email, String name, String password, Optional<byte[]> invitationHash) {
        PasswordPolicy.check("password", password, email, name);
        String hash = passwords.hash(password);
        UserStore.Created created = invitationHash.isPresent()
                ? users.createInvited(email, name, hash, invitationHash.get())
                : users.createWithTeam(email, name, hash, false);
        return session(users.find(created.userId()).orElseThrow(), created.teamId());
    }

    /**
     * Logs in, throttled per account and address. Every failure (no such account, no password,
     * wrong password) says the same thing and costs the same time.
     */
    public Session login(String email, String password, String clientAddress) {
        throttle.check(email, clientAddress);
        Optional<UserStore.User> user = users.findByEmail(email);
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
