package io.wrenn.controlplane.auth;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Turns a verified token into a {@link Caller} by reading the person and membership now. */
public final class SessionStore {

    private final Jdbi jdbi;

    public SessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * The caller a token stands for, or empty when the person is gone, disabled, or the token
     * is older than their last password change or disable (generation mismatch).
     */
    public Optional<Caller> resolve(Tokens.Claims claims) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT u.is_admin,
                               (SELECT m.role FROM team_members m JOIN teams t ON t.id = m.team_id
                                WHERE m.user_id = u.id AND m.team_id = CAST(:team AS uuid) AND t.deleted_at IS NULL) AS role,
                               EXISTS (SELECT 1 FROM teams t WHERE t.id = CAST(:team AS uuid) AND t.suspended_at IS NOT NULL) AS suspended
                        FROM users u
                        WHERE u.id = :user AND u.disabled_at IS NULL AND u.token_generation = :generation""")
                .bind("user", claims.userId())
                .bind("team", claims.teamId())
                .bind("generation", claims.generation())
                .map((rs, ctx) -> {
                    String role = rs.getString("role");
                    UUID team = role == null ? null : claims.teamId();
                    return new Caller(claims.userId(), null, team, role == null ? null : Role.fromWire(role), rs.getBoolean("is_admin"),
                            rs.getBoolean("suspended"));
                })
                .findOne());
    }
}
