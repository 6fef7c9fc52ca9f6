package io.wrenn.controlplane.team;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Paging;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Invitations to join a team in PostgreSQL (team_invitations), found by the SHA-256 of their
 * token. Only pending ones (not accepted, not revoked, not expired, of a live team) are ever
 * found: every other row is kept for the audit log and answers as if it did not exist.
 */
public final class InvitationStore {

    /** How long an invitation may wait for its person. */
    public static final Duration LIFETIME = Duration.ofDays(7);

    private static final String PENDING = "i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()";
    private static final String SELECT = """
            SELECT i.id, i.team_id, t.name AS team_name, i.email, i.role, i.created_by, u.email AS created_by_email,
                   i.created_at, i.expires_at
            FROM team_invitations i JOIN teams t ON t.id = i.team_id AND t.deleted_at IS NULL
            LEFT JOIN users u ON u.id = i.created_by""";

    private final Jdbi jdbi;

    public InvitationStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A pending invitation, as listed and previewed: never its token. */
    public record Invitation(UUID id, UUID teamId, String teamName, String email, Role role, UUID createdBy,
                             String createdByEmail, Instant createdAt, Instant expiresAt) {
    }

    /**
     * Stores a new invitation of {@code email} to {@code teamId}, replacing the open one for the
     * same email (its token stops working); {@code mayReplace} sees the replaced one's role first
     * and may refuse. 409 {@code too_many_invitations} when the team already holds
     * {@code maxPending} others. The team's invitations are serialised, so two at once cannot
     * both take the last place.
     */
    public Invitation invite(UUID teamId, String email, Role role, byte[] tokenHash, UUID createdBy, Consumer<Role> mayReplace,
                             int maxPending) {
        return jdbi.inTransaction(h -> {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) AS locked")
                    .bind("key", "invitations:" + teamId).mapTo(Integer.class).one();
            h.createQuery("SELECT i.role FROM team_invitations i WHERE i.team_id = :team AND i.email = :email AND " + PENDING)
                    .bind("team", teamId).bind("email", email).mapTo(String.class).findOne()
                    .ifPresent(replaced -> mayReplace.accept(Role.fromWire(replaced)));
            // Expired ones too: they still hold the (team, email) place of the unique index.
            h.createUpdate("""
                            UPDATE team_invitations SET revoked_at = now()
                            WHERE team_id = :team AND email = :email AND accepted_at IS NULL AND revoked_at IS NULL""")
                    .bind("team", teamId).bind("email", email).execute();
            int pending = h.createQuery("SELECT count(*) FROM team_invitations i WHERE i.team_id = :team AND " + PENDING)
                    .bind("team", teamId).mapTo(Integer.class).one();
            if (pending >= maxPending) {
                throw new ApiException(ErrorCode.TOO_MANY_INVITATIONS, "the team already has " + maxPending
                        + " pending invitations: revoke some or wait for them to expire");
            }
            UUID id = UUID.randomUUID();
            h.createUpdate("""
                            INSERT INTO team_invitations (id, team_id, email, role, token_hash, created_by, expires_at)
                            VALUES (:id, :team, :email, :role, :hash, :user, now() + make_interval(secs => :lifetime))""")
                    .bind("id", id).bind("team", teamId).bind("email", email).bind("role", role.wire())
                    .bind("hash", tokenHash).bind("user", createdBy).bind("lifetime", (double) LIFETIME.toSeconds())
                    .execute();
            return h.createQuery(SELECT + " WHERE i.id = :id").bind("id", id).map((rs, ctx) -> map(rs)).one();
        });
    }

    /** How many invitations {@code userId} made in the last hour, whatever became of them. */
    public int createdByWithinHour(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM team_invitations WHERE created_by = :user AND created_at > now() - interval '1 hour'")
                .bind("user", userId).mapTo(Integer.class).one());
    }

    /** One page of the team's pending invitations, newest first (ties by id): {@code page.fetch()} rows after the cursor. */
    public List<Invitation> pending(UUID teamId, Paging.PageRequest page) {
        // Read the cursor before touching the database: a forged one is a 400, not a failed query.
        OffsetDateTime afterAt = page.after() == null ? null : OffsetDateTime.ofInstant(page.after().instant(0), ZoneOffset.UTC);
        UUID afterId = page.after() == null ? null : page.after().uuid(1);
        String after = afterId == null ? "" : " AND (i.created_at, i.id) < (:afterAt, :afterId)";
        return jdbi.withHandle(h -> {
            var query = h.createQuery(SELECT + " WHERE i.team_id = :team AND " + PENDING + after
                            + " ORDER BY i.created_at DESC, i.id DESC LIMIT :fetch")
                    .bind("team", teamId).bind("fetch", page.fetch());
            if (afterId != null) {
                query.bind("afterAt", afterAt).bind("afterId", afterId);
            }
            return query.map((rs, ctx) -> map(rs)).list();
        });
    }

    public Optional<Invitation> find(UUID teamId, UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE i.team_id = :team AND i.id = :id AND " + PENDING)
                .bind("team", teamId).bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    /** The pending invitation whose token has this hash. */
    public Optional<Invitation> byToken(byte[] tokenHash) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE i.token_hash = :hash AND " + PENDING)
                .bind("hash", tokenHash).map((rs, ctx) -> map(rs)).findOne());
    }

    /** Revokes the pending invitation if it is one of {@code teamId}'s; returns whether it did. */
    public boolean revoke(UUID teamId, UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE team_invitations i SET revoked_at = now() WHERE i.team_id = :team AND i.id = :id AND "
                        + PENDING)
                .bind("team", teamId).bind("id", id).execute()) == 1;
    }

    /** See {@link #accept(Handle, byte[], UUID, String)}; in a transaction of its own (or the caller's, when open). */
    public Invitation accept(byte[] tokenHash, UUID userId, String userEmail) {
        return jdbi.inTransaction(h -> accept(h, tokenHash, userId, userEmail));
    }

    /**
     * Spends the pending invitation whose token has this hash: {@code userId} joins its team with
     * its role, unless already a member (then nothing about the membership changes, and the
     * invitation is still spent). The row is locked first, so a token is used once. 404
     * {@code invitation_not_found} for any token that names no pending invitation; 403
     * {@code invitation_email_mismatch} when it was made out to another address.
     */
    public static Invitation accept(Handle h, byte[] tokenHash, UUID userId, String userEmail) {
        Invitation invitation = h.createQuery(SELECT + " WHERE i.token_hash = :hash AND " + PENDING + " FOR UPDATE OF i")
                .bind("hash", tokenHash).map((rs, ctx) -> map(rs)).findOne()
                .orElseThrow(InvitationStore::notFound);
        if (!invitation.email().equals(userEmail)) {
            throw new ApiException(ErrorCode.INVITATION_EMAIL_MISMATCH,
                    "this invitation is for another email address: sign in with the account it was sent to");
        }
        h.createUpdate("""
                        INSERT INTO team_members (team_id, user_id, role) VALUES (:team, :user, :role)
                        ON CONFLICT (team_id, user_id) DO NOTHING""")
                .bind("team", invitation.teamId()).bind("user", userId).bind("role", invitation.role().wire()).execute();
        h.createUpdate("UPDATE team_invitations SET accepted_at = now(), accepted_by = :user WHERE id = :id")
                .bind("id", invitation.id()).bind("user", userId).execute();
        return invitation;
    }

    public static ApiException notFound() {
        return new ApiException(ErrorCode.INVITATION_NOT_FOUND, "no such invitation: it may have expired, been revoked or been used");
    }

    private static Invitation map(ResultSet rs) throws SQLException {
        return new Invitation(
                rs.getObject("id", UUID.class),
                rs.getObject("team_id", UUID.class),
                rs.getString("team_name"),
                rs.getString("email"),
                Role.fromWire(rs.getString("role")),
                rs.getObject("created_by", UUID.class),
                rs.getString("created_by_email"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("expires_at", OffsetDateTime.class).toInstant());
    }
}
