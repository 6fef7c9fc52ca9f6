package io.wrenn.controlplane.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Single-use tokens for opening one WebSocket from a browser, which cannot set the
 * {@code X-API-Key} header on an upgrade: {@code ?token=} in the socket's URL stands for the
 * caller that asked for it, once, within {@link #LIFETIME}, for that socket path only.
 */
public final class SocketTokens {

    public static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final String PREFIX = "wst_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;

    public SocketTokens(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record Issued(String token, Instant expiresAt) {
    }

    /** A token for {@code caller} to open the socket at {@code path}. */
    public Issued issue(Caller caller, String path) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String token = PREFIX + HexFormat.of().formatHex(random);
        Instant expiresAt = Instant.now().plus(LIFETIME);
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM socket_tokens WHERE expires_at < now()").execute();
            h.createUpdate("""
                            INSERT INTO socket_tokens (hash, path, team_id, user_id, api_key_id, role, expires_at)
                            VALUES (:hash, :path, :team, CAST(:user AS uuid), CAST(:key AS uuid), :role, :expires)""")
                    .bind("hash", ApiKeys.hash(token))
                    .bind("path", path)
                    .bind("team", caller.requireTeam())
                    // As text: Jdbi binds a null UUID as varchar, which PostgreSQL will not put in a uuid column.
                    .bind("user", caller.userId() == null ? null : caller.userId().toString())
                    .bind("key", caller.apiKeyId() == null ? null : caller.apiKeyId().toString())
                    .bind("role", caller.role().wire())
                    .bind("expires", java.time.OffsetDateTime.ofInstant(expiresAt, java.time.ZoneOffset.UTC))
                    .execute();
        });
        return new Issued(token, expiresAt);
    }

    /**
     * The caller a token stands for, if it is live, meant for {@code path}, its team still
     * exists and its person (still enabled, still a member) or key (not revoked) may still act
     * for that team; the token is spent either way once presented for its path.
     */
    public Optional<Caller> consume(String token, String path) {
        return jdbi.withHandle(h -> h.createQuery("""
                        DELETE FROM socket_tokens s
                        WHERE s.hash = :hash AND s.path = :path
                        RETURNING s.team_id, s.user_id, s.api_key_id, s.role, s.expires_at > now() AS live,
                                  EXISTS (SELECT 1 FROM teams t WHERE t.id = s.team_id AND t.deleted_at IS NULL) AS team_live,
                                  -- As for every other request, the database decides now: the person is still
                                  -- enabled and in the team, the key is not revoked.
                                  (s.user_id IS NULL OR EXISTS (SELECT 1 FROM users u JOIN team_members m ON m.user_id = u.id
                                      WHERE u.id = s.user_id AND u.disabled_at IS NULL AND m.team_id = s.team_id)) AS person_live,
                                  (s.api_key_id IS NULL OR EXISTS (SELECT 1 FROM api_keys k
                                      WHERE k.id = s.api_key_id AND k.revoked_at IS NULL)) AS key_live""")
                .bind("hash", ApiKeys.hash(token))
                .bind("path", path)
                .map((rs, ctx) -> rs.getBoolean("live") && rs.getBoolean("team_live") && rs.getBoolean("person_live")
                        && rs.getBoolean("key_live")
                        ? Optional.of(new Caller(rs.getObject("user_id", UUID.class), rs.getObject("api_key_id", UUID.class),
                                rs.getObject("team_id", UUID.class), Role.fromWire(rs.getString("role")), false))
                        : Optional.<Caller>empty())
                .findOne()
                .flatMap(c -> c));
    }
}
