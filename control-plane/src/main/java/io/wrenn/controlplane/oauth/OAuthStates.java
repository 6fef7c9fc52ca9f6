package io.wrenn.controlplane.oauth;

import io.wrenn.controlplane.auth.ApiKeys;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Authorization requests in flight, in the database so any control plane can take the
 * callback: the {@code state} (stored hashed), its PKCE verifier and the hash of the browser
 * cookie set when it started. A state is single-use, lives ten minutes, and is honoured only in
 * the browser that started it: otherwise someone could start a login as themself and make a
 * victim's browser finish it (login CSRF), signing the victim into the attacker's account.
 */
final class OAuthStates {

    static final int LIFETIME_MINUTES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Jdbi jdbi;

    OAuthStates(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** {@code browser}: the cookie value only the starting browser holds. */
    record Started(String state, String codeVerifier, String browser) {
    }

    Started start(String provider) {
        Started started = new Started(random(32), random(48), random(32));
        jdbi.useHandle(h -> {
            h.createUpdate("DELETE FROM oauth_states WHERE created_at < now() - make_interval(mins => :minutes)")
                    .bind("minutes", LIFETIME_MINUTES).execute();
            h.createUpdate("""
                            INSERT INTO oauth_states (state_hash, provider, code_verifier, browser_hash)
                            VALUES (:hash, :provider, :verifier, :browser)""")
                    .bind("hash", ApiKeys.hash(started.state())).bind("provider", provider)
                    .bind("verifier", started.codeVerifier()).bind("browser", ApiKeys.hash(started.browser())).execute();
        });
        return started;
    }

    /** What {@link #consume} found. */
    sealed interface Outcome {
        record Verifier(String codeVerifier) implements Outcome {
        }

        /** No live state of the provider by that value. */
        record Unknown() implements Outcome {
        }

        /** A live state, but the browser holds no cookie, or another one: the state is spent all the same. */
        record OtherBrowser() implements Outcome {
        }
    }

    private record Row(String codeVerifier, byte[] browserHash) {
    }

    /** Consumes a live state of {@code provider}; its verifier if {@code browser} (the cookie, or null) is the one it started in. */
    Outcome consume(String provider, String state, String browser) {
        Optional<Row> row = jdbi.withHandle(h -> h.createQuery("""
                        DELETE FROM oauth_states WHERE state_hash = :hash AND provider = :provider
                          AND created_at > now() - make_interval(mins => :minutes)
                        RETURNING code_verifier, browser_hash""")
                .bind("hash", ApiKeys.hash(state)).bind("provider", provider).bind("minutes", LIFETIME_MINUTES)
                .map((rs, ctx) -> new Row(rs.getString("code_verifier"), rs.getBytes("browser_hash")))
                .findOne());
        if (row.isEmpty()) {
            return new Outcome.Unknown();
        }
        // A state from before browsers were bound (no hash) is refused like a foreign one.
        if (browser == null || row.get().browserHash() == null
                || !MessageDigest.isEqual(row.get().browserHash(), ApiKeys.hash(browser))) {
            return new Outcome.OtherBrowser();
        }
        return new Outcome.Verifier(row.get().codeVerifier());
    }

    /** URL-safe random text: {@code bytes} random bytes (PKCE wants 43 to 128 characters for the verifier). */
    static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }
}
