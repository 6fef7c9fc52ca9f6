package io.wrenn.controlplane.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** API keys in PostgreSQL, looked up by their hash. Deleting a key revokes it; the row stays for the audit log. */
public final class ApiKeyStore {

    /** last_used_at is a hint for people, not an audit trail: write it at most this often. */
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    /**
     * How long a verified key is taken on trust. Every request with a key would otherwise cost a
     * database round trip before its own work; a key revoked or a team deleted (here or by
     * another control plane on the same database) stops working within this time.
     */
    static final Duration VERIFIED_FOR = Duration.ofMillis(250);
    /** Past this many live entries the cache starts afresh (one entry per key in use). */
    private static final int MAX_CACHED = 10_000;

    private final Jdbi jdbi;
    private final java.util.concurrent.ConcurrentHashMap<String, Verified> verified = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile CredentialEnds ends = CredentialEnds.NONE;

    /** Where revocations are reported (what was handed out to a key must not outlive it). */
    public void reportEndsTo(CredentialEnds value) {
        this.ends = value;
    }

    public ApiKeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    private record Verified(Caller caller, UUID keyId, long until) {
    }

    /** A key as listed: never the key itself, only its first characters. */
    public record KeyInfo(UUID id, String name, String prefix, UUID createdBy, String createdByEmail,
                          Instant createdAt, Instant lastUsedAt) {
    }

    /**
     * The caller a presented key names: the key itself, or the older {@code wrn_} key it spells
     * under the E2B SDKs' {@code e2b_} prefix (see {@link ApiKeys#legacyForm}).
     */
    public Optional<Caller> findByKey(String key) {
        return findByHash(ApiKeys.hash(key))
                .or(() -> ApiKeys.legacyForm(key).flatMap(legacy -> findByHash(ApiKeys.hash(legacy))));
    }

    /**
     * The caller a live key of a live team stands for. A key verified less than
     * {@link #VERIFIED_FOR} ago is not looked up again; unknown keys are never cached, so a
     * flood of wrong keys cannot fill memory.
     */
    public Optional<Caller> findByHash(byte[] hash) {
        String cacheKey = java.util.HexFormat.of().formatHex(hash);
        long now = System.nanoTime();
        Verified hit = verified.get(cacheKey);
        if (hit != null && now - hit.until() < 0) {
            return Optional.of(hit.caller());
        }
        Optional<KeyRow> found = lookUp(hash);
        if (found.isEmpty()) {
            verified.remove(cacheKey);
            return Optional.empty();
        }
        if (found.get().teamSuspended()) {
            // Not cached: unsuspending gives the key back at once.
            verified.remove(cacheKey);
            throw new io.wrenn.controlplane.http.ApiException(io.wrenn.api.ErrorCode.TEAM_SUSPENDED,
                    "this key's team is suspended by the platform's admins");
        }
        Caller caller = Caller.ofKey(found.get().id(), found.get().teamId());
        if (verified.size() >= MAX_CACHED) {
            verified.clear();
        }
        verified.put(cacheKey, new Verified(caller, found.get().id(), now + VERIFIED_FOR.toNanos()));
        return Optional.of(caller);
    }

    private Optional<KeyRow> lookUp(byte[] hash) {
        Optional<KeyRow> row = jdbi.withHandle(h -> h.createQuery("""
                        SELECT k.id, k.team_id, k.last_used_at, t.suspended_at IS NOT NULL AS suspended FROM api_keys k JOIN teams t ON t.id = k.team_id
                        WHERE k.hash = :hash AND k.revoked_at IS NULL AND t.deleted_at IS NULL""")
                .bind("hash", hash)
                .map((rs, ctx) -> new KeyRow(
                        rs.getObject("id", UUID.class),
                        rs.getObject("team_id", UUID.class),
                        Optional.ofNullable(rs.getObject("last_used_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant),
                        rs.getBoolean("suspended")))
                .findOne());
        row.ifPresent(this::touch);
        return row;
    }

    private void touch(KeyRow row) {
        Instant now = Instant.now();
        if (row.lastUsedAt().map(t -> t.plus(LAST_USED_GRANULARITY).isAfter(now)).orElse(false)) {
            return;
        }
        jdbi.useHandle(h -> h.createUpdate("UPDATE api_keys SET last_used_at = now() WHERE id = :id")
                .bind("id", row.id())
                .execute());
    }

    /** Stores a new key of {@code teamId} (its hash only) and returns its id. */
    public UUID create(UUID teamId, String name, String key, UUID createdBy) {
        UUID id = UUID.randomUUID();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO api_keys (id, team_id, name, prefix, hash, created_by)
                        VALUES (:id, :team, :name, :prefix, :hash, :user)""")
                .bind("id", id)
                .bind("team", teamId)
                .bind("name", name)
                .bind("prefix", ApiKeys.displayPrefix(key))
                .bind("hash", ApiKeys.hash(key))
                .bind("user", createdBy)
                .execute());
        return id;
    }

    /**
     * One page of the team's live keys, newest first (ties by id): {@code page.fetch()} rows
     * after the cursor's {@code (created_at, id)}, for {@link io.wrenn.controlplane.http.Paging#page}.
     */
    public List<KeyInfo> page(UUID teamId, io.wrenn.controlplane.http.Paging.PageRequest page) {
        // Read the cursor before touching the database: a forged one is a 400, not a failed query.
        OffsetDateTime afterAt = page.after() == null ? null
                : OffsetDateTime.ofInstant(page.after().instant(0), java.time.ZoneOffset.UTC);
        UUID afterId = page.after() == null ? null : page.after().uuid(1);
        String after = afterId == null ? "" : " AND (k.created_at, k.id) < (:afterAt, :afterId)";
        return jdbi.withHandle(h -> {
            var query = h.createQuery(SELECT + " WHERE k.team_id = :team AND k.revoked_at IS NULL" + after
                            + " ORDER BY k.created_at DESC, k.id DESC LIMIT :fetch")
                    .bind("team", teamId)
                    .bind("fetch", page.fetch());
            if (afterId != null) {
                query.bind("afterAt", afterAt).bind("afterId", afterId);
            }
            return query.map((rs, ctx) -> map(rs)).list();
        });
    }

    public Optional<KeyInfo> find(UUID teamId, UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE k.team_id = :team AND k.id = :id AND k.revoked_at IS NULL")
                .bind("team", teamId)
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** Revokes the key if it is a live key of {@code teamId}; returns whether it did. */
    public boolean revoke(UUID teamId, UUID id) {
        boolean revoked = jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE api_keys SET revoked_at = now() WHERE id = :id AND team_id = :team AND revoked_at IS NULL")
                .bind("id", id)
                .bind("team", teamId)
                .execute()) == 1;
        // Revoked through this control plane: it stops working at once here.
        verified.values().removeIf(v -> v.keyId().equals(id));
        if (revoked) {
            ends.keysRevoked(List.of(id));
        }
        return revoked;
    }

    /**
     * Revokes every live key {@code userId} created (their account is disabled: what they made
     * must not outlive their access); returns how many.
     */
    public int createdByWithinHour(UUID userId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM api_keys WHERE created_by = :user AND created_at > now() - interval '1 hour'")
                .bind("user", userId).mapTo(Integer.class).one());
    }

    public int revokeCreatedBy(UUID userId) {
        List<UUID> revoked = jdbi.withHandle(h -> h.createQuery(
                        "UPDATE api_keys SET revoked_at = now() WHERE created_by = :user AND revoked_at IS NULL RETURNING id")
                .bind("user", userId)
                .mapTo(UUID.class)
                .list());
        verified.values().removeIf(v -> revoked.contains(v.keyId()));
        ends.keysRevoked(revoked);
        // Only a disabled account's keys are revoked so; what the person fetched with a session goes too.
        ends.userDisabled(userId);
        return revoked.size();
    }

    /** Forgets every verified key of a team (its deletion), so none works on the next request here. */
    public void forgetTeam(UUID teamId) {
        verified.values().removeIf(v -> teamId.equals(v.caller().teamId()));
    }

    public boolean anyExists() {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM api_keys)").mapTo(Boolean.class).one());
    }

    private static final String SELECT = """
            SELECT k.id, k.name, k.prefix, k.created_by, u.email AS created_by_email, k.created_at, k.last_used_at
            FROM api_keys k LEFT JOIN users u ON u.id = k.created_by""";

    private static KeyInfo map(java.sql.ResultSet rs) throws java.sql.SQLException {
        OffsetDateTime lastUsed = rs.getObject("last_used_at", OffsetDateTime.class);
        return new KeyInfo(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("prefix"),
                rs.getObject("created_by", UUID.class),
                rs.getString("created_by_email"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                lastUsed == null ? null : lastUsed.toInstant());
    }

    private record KeyRow(UUID id, UUID teamId, Optional<Instant> lastUsedAt, boolean teamSuspended) {
    }
}
