package io.wrenn.controlplane.auth;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * First start of a fresh installation: creates the admin user, a team and an API key, and
 * returns the key (the only time it exists in plain text). Idempotent: once any API key
 * exists it does nothing, so a restart keeps the data and the key.
 */
public final class Bootstrap {

    /** Serialises concurrent first starts against one database (pg_advisory_xact_lock). */
    private static final long LOCK_ID = 0x7772656e6e_01L;

    private final Jdbi jdbi;

    public Bootstrap(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<String> run() {
        return jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(?)", LOCK_ID);
            if (h.createQuery("SELECT EXISTS (SELECT 1 FROM api_keys)").mapTo(Boolean.class).one()) {
                return Optional.<String>empty();
            }
            UUID userId = UUID.randomUUID();
            UUID teamId = UUID.randomUUID();
            h.createUpdate("INSERT INTO users (id, email, name, is_admin) VALUES (:id, 'admin@localhost', 'admin', true)"
                            + " ON CONFLICT (email) DO NOTHING")
                    .bind("id", userId).execute();
            UUID adminId = h.createQuery("SELECT id FROM users WHERE email = 'admin@localhost'").mapTo(UUID.class).one();
            h.createUpdate("INSERT INTO teams (id, name) VALUES (:id, 'default')").bind("id", teamId).execute();
            h.createUpdate("INSERT INTO team_members (team_id, user_id, role) VALUES (:team, :user, 'owner')")
                    .bind("team", teamId).bind("user", adminId).execute();
            String key = ApiKeys.generate();
            h.createUpdate("INSERT INTO api_keys (id, team_id, name, prefix, hash, created_by)"
                            + " VALUES (:id, :team, 'bootstrap', :prefix, :hash, :user)")
                    .bind("id", UUID.randomUUID())
                    .bind("team", teamId)
                    .bind("prefix", ApiKeys.displayPrefix(key))
                    .bind("hash", ApiKeys.hash(key))
                    .bind("user", adminId)
                    .execute();
            return Optional.of(key);
        });
    }
}
