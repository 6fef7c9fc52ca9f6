package io.wrenn.controlplane.db;

import java.security.SecureRandom;
import org.jdbi.v3.core.Jdbi;

/**
 * Secrets the control plane makes for itself (the token signing key), kept in the database so
 * that every control plane on one database shares them and a restart keeps them.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Jdbi jdbi;

    public Secrets(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The secret called {@code name}; made of {@code bytes} random bytes the first time it is asked for. */
    public byte[] getOrCreate(String name, int bytes) {
        byte[] fresh = new byte[bytes];
        RANDOM.nextBytes(fresh);
        return jdbi.withHandle(h -> {
            // Two control planes starting at once: one insert wins, both read the winner.
            h.createUpdate("INSERT INTO control_plane_secrets (name, value) VALUES (:name, :value) ON CONFLICT (name) DO NOTHING")
                    .bind("name", name).bind("value", fresh).execute();
            return h.createQuery("SELECT value FROM control_plane_secrets WHERE name = :name")
                    .bind("name", name).mapTo(byte[].class).one();
        });
    }
}
