package io.wrenn.controlplane.auth;

import io.wrenn.controlplane.account.Passwords;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * First start of a fresh installation: creates the admin (a platform admin with a generated
 * password), their team and an API key, and returns the key and the password, the only time
 * either exists in plain text. Later starts return nothing, so a restart keeps the data. An
 * installation made before people had passwords gets a password for its admin once.
 */
public final class Bootstrap {

    public static final String ADMIN_EMAIL = "admin@localhost";
    /** Serialises concurrent first starts against one database (pg_advisory_xact_lock). */
    private static final long LOCK_ID = 0x7772656e6e_01L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Passwords passwords;

    public Bootstrap(Jdbi jdbi, Passwords passwords) {
        this.jdbi = jdbi;
        this.passwords = passwords;
    }

    /** What a first start made: each part present only when it was made now. */
    public record Result(Optional<String> apiKey, String adminEmail, Optional<String> adminPassword) {
    }

    public Result run() {
        String password = generatePassword();
        String hash = passwords.hash(password);
        return jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(?)", LOCK_ID);
            if (h.createQuery("SELECT EXISTS (SELECT 1 FROM api_keys)").mapTo(Boolean.class).one()) {
                int updated = h.createUpdate("""
                                UPDATE users SET password_hash = :hash WHERE email = :email AND is_admin AND password_hash IS NULL
                                AND NOT EXISTS (SELECT 1 FROM users WHERE is_admin AND password_hash IS NOT NULL)""")
                        .bind("hash", hash).bind("email", ADMIN_EMAIL).execute();
                return new Result(Optional.empty(), ADMIN_EMAIL, updated == 1 ? Optional.of(password) : Optional.empty());
            }
            UUID userId = UUID.randomUUID();
            UUID teamId = UUID.randomUUID();
            h.createUpdate("INSERT INTO users (id, email, name, is_admin, password_hash) VALUES (:id, :email, 'admin', true, :hash)"
                            + " ON CONFLICT (email) DO NOTHING")
                    .bind("id", userId).bind("email", ADMIN_EMAIL).bind("hash", hash).execute();
            UUID adminId = h.createQuery("SELECT id FROM users WHERE email = :email").bind("email", ADMIN_EMAIL)
                    .mapTo(UUID.class).one();
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
            return new Result(Optional.of(key), ADMIN_EMAIL, Optional.of(password));
        });
    }

    /** 24 characters of URL-safe base64: 144 random bits. */
    static String generatePassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
