package io.wrenn.controlplane.account;

import io.wrenn.controlplane.auth.ApiKeys;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Links mailed to prove an address. The token has 256 random bits and only its SHA-256 is
 * stored; a link is single-use and lives {@link #LIFETIME_HOURS} hours.
 *
 * <p>A sign-up with mail configured waits here (name, password hash, invitation) until its link
 * is followed, and only then becomes an account: someone who types another person's address
 * gets nothing, and cannot hold that address against its owner, who signs up for themselves.
 * Several sign-ups may wait for one address; the first link followed wins and the others die.
 */
public final class EmailVerifications {

    public static final int LIFETIME_HOURS = 24;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Jdbi jdbi;

    public EmailVerifications(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A waiting link: for an existing account ({@code userId}), or for a sign-up ({@code name},
     * {@code passwordHash} and perhaps {@code invitationHash}) when {@code userId} is null.
     */
    public record Pending(byte[] tokenHash, String email, UUID userId, String name, String passwordHash,
                          byte[] invitationHash) {
        public boolean isSignup() {
            return userId == null;
        }
    }

    /** A waiting sign-up; returns the token to mail. */
    public String startSignup(String email, String name, String passwordHash, byte[] invitationHash) {
        String token = newToken();
        jdbi.useHandle(h -> {
            h.createUpdate("DELETE FROM email_verifications WHERE expires_at < now()").execute();
            h.createUpdate("""
                            INSERT INTO email_verifications (token_hash, email, name, password_hash, invitation_hash, expires_at)
                            VALUES (:hash, :email, :name, :password, :invitation, now() + make_interval(hours => :hours))""")
                    .bind("hash", ApiKeys.hash(token)).bind("email", email).bind("name", name).bind("password", passwordHash)
                    .bind("invitation", invitationHash).bind("hours", LIFETIME_HOURS).execute();
        });
        return token;
    }

    /** A link for an existing account's address; an older one for it stops working. Returns the token to mail. */
    public String startForAccount(UUID userId, String email) {
        String token = newToken();
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM email_verifications WHERE user_id = :user OR expires_at < now()").bind("user", userId).execute();
            h.createUpdate("""
                            INSERT INTO email_verifications (token_hash, email, user_id, expires_at)
                            VALUES (:hash, :email, :user, now() + make_interval(hours => :hours))""")
                    .bind("hash", ApiKeys.hash(token)).bind("email", email).bind("user", userId).bind("hours", LIFETIME_HOURS)
                    .execute();
        });
        return token;
    }

    /** The newest live sign-up waiting for {@code email}. */
    public Optional<Pending> newestSignup(String email) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM email_verifications WHERE email = :email AND user_id IS NULL AND expires_at > now()
                        ORDER BY created_at DESC LIMIT 1""")
                .bind("email", email).map((rs, ctx) -> map(rs)).findOne());
    }

    /** A fresh token (and a fresh lifetime) for a waiting link; the old token stops working. */
    public String renew(Pending pending) {
        String token = newToken();
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE email_verifications SET token_hash = :next, expires_at = now() + make_interval(hours => :hours)
                        WHERE token_hash = :current""")
                .bind("next", ApiKeys.hash(token)).bind("current", pending.tokenHash()).bind("hours", LIFETIME_HOURS).execute());
        return token;
    }

    /** Spends a live token: the link it stands for, once. */
    public Optional<Pending> consume(String token) {
        return jdbi.withHandle(h -> h.createQuery("""
                        DELETE FROM email_verifications WHERE token_hash = :hash AND expires_at > now() RETURNING *""")
                .bind("hash", ApiKeys.hash(token)).map((rs, ctx) -> map(rs)).findOne());
    }

    /** Forgets every sign-up still waiting for {@code email} (it has an account now). */
    public void forgetSignups(String email) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM email_verifications WHERE email = :email AND user_id IS NULL")
                .bind("email", email).execute());
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Pending map(ResultSet rs) throws SQLException {
        return new Pending(rs.getBytes("token_hash"), rs.getString("email"), rs.getObject("user_id", UUID.class),
                rs.getString("name"), rs.getString("password_hash"), rs.getBytes("invitation_hash"));
    }
}
