package io.wrenn.controlplane.account;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.team.InvitationStore;
import io.wrenn.controlplane.team.TeamStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** People in PostgreSQL. */
public final class UserStore {

    private static final String SELECT = """
            SELECT id, email, name, password_hash, is_admin, disabled_at, token_generation, created_at, email_verified_at FROM users""";
    /** The first team a person joined is where a fresh login lands. */
    public static final String DEFAULT_TEAM_NAME = "Personal";

    private final Jdbi jdbi;

    public UserStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** {@code emailVerifiedAt}: when the person proved the address theirs (see V78); null if never. */
    public record User(UUID id, String email, String name, String passwordHash, boolean admin, Instant disabledAt,
                       int generation, Instant createdAt, Instant emailVerifiedAt) {
        public boolean disabled() {
            return disabledAt != null;
        }

        public boolean emailVerified() {
            return emailVerifiedAt != null;
        }
    }

    /** A new person and their default team (they own it), in one transaction. */
    public record Created(UUID userId, UUID teamId) {
    }

    public Created createWithTeam(String email, String name, String passwordHash, boolean admin) {
        return createWithTeam(email, name, passwordHash, admin, false);
    }

    /** As {@link #createWithTeam(String, String, String, boolean)}; {@code verified}: the address was just proven. */
    public Created createWithTeam(String email, String name, String passwordHash, boolean admin, boolean verified) {
        return create(h -> {
            UUID userId = insert(h, email, name, passwordHash, admin, verified);
            UUID teamId = TeamStore.insertWithOwner(h, DEFAULT_TEAM_NAME, userId);
            return new Created(userId, teamId);
        });
    }

    /**
     * A new person who joins the team whose pending invitation (made out to {@code email}) has
     * this token hash, spending it; in one transaction, so an invitation that is gone by then
     * (404) leaves no account behind. They get no team of their own: they came to join this one.
     */
    public Created createInvited(String email, String name, String passwordHash, byte[] invitationHash, boolean verified) {
        return create(h -> {
            UUID userId = insert(h, email, name, passwordHash, false, verified);
            InvitationStore.Invitation joined = InvitationStore.accept(h, invitationHash, userId, email);
            return new Created(userId, joined.teamId());
        });
    }

    private Created create(org.jdbi.v3.core.HandleCallback<Created, RuntimeException> work) {
        try {
            return jdbi.inTransaction(work);
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                throw new ApiException(ErrorCode.EMAIL_TAKEN, "an account with this email exists");
            }
            throw e;
        }
    }

    static UUID insert(Handle h, String email, String name, String passwordHash, boolean admin, boolean verified) {
        UUID id = UUID.randomUUID();
        h.createUpdate("""
                        INSERT INTO users (id, email, name, password_hash, is_admin, email_verified_at)
                        VALUES (:id, :email, :name, :hash, :admin, CASE WHEN :verified THEN now() END)""")
                .bind("id", id).bind("email", email).bind("name", name).bind("hash", passwordHash).bind("admin", admin)
                .bind("verified", verified).execute();
        return id;
    }

    public Optional<User> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE id = :id").bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    public Optional<User> findByEmail(String email) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE email = :email").bind("email", email)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /** Sets a new password and invalidates every token issued before; returns the new token generation. */
    public int changePassword(UUID id, String passwordHash) {
        return jdbi.withHandle(h -> h.createQuery("""
                        UPDATE users SET password_hash = :hash, token_generation = token_generation + 1
                        WHERE id = :id RETURNING token_generation""")
                .bind("id", id).bind("hash", passwordHash).mapTo(Integer.class).one());
    }

    /** Records that the person proved {@code email} is theirs (unless their address changed since the link was mailed). */
    public void markVerified(UUID id, String email) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = :id AND email = :email")
                .bind("id", id).bind("email", email).execute());
    }

    /** Disables or re-enables a person; either way their tokens stop working. Returns whether they exist. */
    public boolean setDisabled(UUID id, boolean disabled) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE users SET disabled_at = CASE WHEN :disabled THEN COALESCE(disabled_at, now()) END,
                            token_generation = token_generation + 1
                        WHERE id = :id""")
                .bind("id", id).bind("disabled", disabled).execute()) == 1;
    }

    /** The team a fresh login acts for: the oldest membership in a live team, if any. */
    public Optional<UUID> defaultTeam(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id
                        WHERE m.user_id = :user AND t.deleted_at IS NULL ORDER BY m.created_at, m.team_id LIMIT 1""")
                .bind("user", userId).mapTo(UUID.class).findOne());
    }

    static User map(ResultSet rs) throws SQLException {
        OffsetDateTime disabled = rs.getObject("disabled_at", OffsetDateTime.class);
        OffsetDateTime verified = rs.getObject("email_verified_at", OffsetDateTime.class);
        return new User(
                rs.getObject("id", UUID.class),
                rs.getString("email"),
                rs.getString("name"),
                rs.getString("password_hash"),
                rs.getBoolean("is_admin"),
                disabled == null ? null : disabled.toInstant(),
                rs.getInt("token_generation"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                verified == null ? null : verified.toInstant());
    }
}
