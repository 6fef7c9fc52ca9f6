package io.wrenn.controlplane.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** API keys in PostgreSQL, looked up by their hash. */
public final class ApiKeyStore {

    /** last_used_at is a hint for people, not an audit trail: write it at most this often. */
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final Jdbi jdbi;

    public ApiKeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<Caller> findByHash(byte[] hash) {
        Optional<KeyRow> row = jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, team_id, last_used_at FROM api_keys WHERE hash = :hash")
                .bind("hash", hash)
                .map((rs, ctx) -> new KeyRow(
                        rs.getObject("id", UUID.class),
                        rs.getObject("team_id", UUID.class),
                        Optional.ofNullable(rs.getObject("last_used_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant)))
                .findOne());
        row.ifPresent(this::touch);
        return row.map(r -> new Caller(r.teamId(), r.id()));
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

    public boolean anyExists() {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM api_keys)").mapTo(Boolean.class).one());
    }

    private record KeyRow(UUID id, UUID teamId, Optional<Instant> lastUsedAt) {
    }
}
