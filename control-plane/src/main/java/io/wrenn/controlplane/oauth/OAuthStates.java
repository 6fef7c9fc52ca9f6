package io.wrenn.controlplane.oauth;

import io.wrenn.controlplane.auth.ApiKeys;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Authorization requests in flight, in the database so any control plane can take the
 * callback: the {@code state} (stored hashed) and its PKCE verifier. A state is single-use and
 * lives ten minutes.
 */
final class OAuthStates {

    static final int LIFETIME_MINUTES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Jdbi jdbi;

    OAuthStates(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    record Started(String state, String codeVerifier) {
    }

    Started start(String provider) {
        Started started = new Started(random(32), random(48));
        jdbi.useHandle(h -> {
            h.createUpdate("DELETE FROM oauth_states WHERE created_at < now() - make_interval(mins => :minutes)")
                    .bind("minutes", LIFETIME_MINUTES).execute();
            h.createUpdate("INSERT INTO oauth_states (state_hash, provider, code_verifier) VALUES (:hash, :provider, :verifier)")
                    .bind("hash", ApiKeys.hash(started.state())).bind("provider", provider)
                    .bind("verifier", started.codeVerifier()).execute();
        });
        return started;
    }

    /** The verifier of a live state of {@code provider}, consuming the state. */
    Optional<String> consume(String provider, String state) {
        return jdbi.withHandle(h -> h.createQuery("""
                        DELETE FROM oauth_states WHERE state_hash = :hash AND provider = :provider
                          AND created_at > now() - make_interval(mins => :minutes)
                        RETURNING code_verifier""")
                .bind("hash", ApiKeys.hash(state)).bind("provider", provider).bind("minutes", LIFETIME_MINUTES)
                .mapTo(String.class).findOne());
    }

    /** URL-safe random text: {@code bytes} random bytes (PKCE wants 43 to 128 characters for the verifier). */
    static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }
}
