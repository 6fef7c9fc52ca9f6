package io.wrenn.controlplane.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The keys that sign people's tokens ({@code token_signing_keys}), shared by every control plane
 * on one database. One key signs; {@link #rotate} retires it and makes a new one. A retired key
 * still verifies until no token it signed can be valid (the token lifetime, plus {@code grace}
 * for control planes that have not yet read the rotation and for their clocks), then it is
 * deleted. Each control plane reads the keys again every {@code refresh}, and at once (at most
 * once a second) when a token names a key it does not know.
 */
public final class SigningKeys {

    /** The {@code kid} of the key the releases before key ids signed with; their tokens name no key. */
    public static final String PRE_KID = "pre-kid";
    /** How long a control plane goes on with the keys it last read. */
    public static final Duration REFRESH = Duration.ofSeconds(30);
    /** How long a retired key outlives the tokens it signed: another control plane's refresh and clock skew. */
    public static final Duration GRACE = REFRESH.plusMinutes(1);
    private static final Duration UNKNOWN_KID_REREAD = Duration.ofSeconds(1);
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Serialises rotations (pg_advisory_xact_lock). */
    private static final long LOCK_ID = 0x7772656e6e_03L;

    /** A key; {@code retiredAt} is null for the one that signs. */
    public record Key(String kid, byte[] secret, Instant createdAt, Instant retiredAt) {

        /** When the key is deleted: never while it signs. */
        Optional<Instant> deletedAfter(Duration keep) {
            return Optional.ofNullable(retiredAt).map(r -> r.plus(keep));
        }
    }

    private record Read(Key signing, Map<String, Key> byKid, long atNanos) {
    }

    private final Jdbi jdbi;
    private final Duration keep;
    private final Duration refresh;
    private volatile Read read;

    /**
     * @param tokenLifetime how long a token is valid (every control plane on the database must use the same)
     * @param refresh       how long the keys read are used before they are read again
     * @param grace         how long a retired key outlives the last token it can have signed
     */
    public SigningKeys(Jdbi jdbi, Duration tokenLifetime, Duration refresh, Duration grace) {
        this.jdbi = jdbi;
        this.keep = tokenLifetime.plus(grace);
        this.refresh = refresh;
        this.read = load();
    }

    /** The key new tokens are signed with. */
    Key signing() {
        return fresh().signing();
    }

    /** The key called {@code kid} if it still verifies. */
    Optional<Key> verifying(String kid) {
        Key key = fresh().byKid().get(kid);
        if (key == null) {
            // Another control plane may have just rotated; made-up kids cost one read a second at most.
            key = readNoOlderThan(UNKNOWN_KID_REREAD).byKid().get(kid);
        }
        return Optional.ofNullable(key);
    }

    /**
     * Retires the signing key and makes a new one; with {@code dropRetired}, every retired key is
     * deleted at once (a leaked key: all its tokens stop, everyone signs in again). Returns the keys now kept.
     */
    public List<Key> rotate(boolean dropRetired) {
        jdbi.useTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(?)", LOCK_ID);
            h.execute("UPDATE token_signing_keys SET retired_at = now() WHERE retired_at IS NULL");
            if (dropRetired) {
                h.execute("DELETE FROM token_signing_keys");
            }
            insertNew(h);
        });
        return keys();
    }

    /** Every key kept, newest first. */
    public List<Key> keys() {
        return reload().byKid().values().stream().sorted(Comparator.comparing(Key::createdAt).reversed()).toList();
    }

    /** How long after its retirement a key is deleted. */
    public Duration keep() {
        return keep;
    }

    private Read fresh() {
        Read now = read;
        return olderThan(now, refresh) ? readNoOlderThan(refresh) : now;
    }

    /** Reads the keys again unless another thread just did: a burst of requests makes one read. */
    private synchronized Read readNoOlderThan(Duration age) {
        if (olderThan(read, age)) {
            read = load();
        }
        return read;
    }

    private synchronized Read reload() {
        read = load();
        return read;
    }

    private static boolean olderThan(Read read, Duration age) {
        return System.nanoTime() - read.atNanos() > age.toNanos();
    }

    /** Deletes the keys no valid token can name, makes the first key if there is none, and reads them all. */
    private Read load() {
        return jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM token_signing_keys WHERE retired_at < now() - make_interval(secs => :keep)")
                    .bind("keep", keep.toMillis() / 1000.0).execute();
            insertNew(h);
            Map<String, Key> byKid = new LinkedHashMap<>();
            h.createQuery("SELECT kid, secret, created_at, retired_at FROM token_signing_keys")
                    .map((rs, ctx) -> new Key(rs.getString("kid"), rs.getBytes("secret"),
                            rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(rs.getObject("retired_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant).orElse(null)))
                    .forEach(k -> byKid.put(k.kid(), k));
            Key signing = byKid.values().stream().filter(k -> k.retiredAt() == null).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no token signing key"));
            return new Read(signing, Map.copyOf(byKid), System.nanoTime());
        });
    }

    /** A new signing key unless one exists (the unique index keeps it to one, also across control planes). */
    private static void insertNew(Handle h) {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        byte[] id = new byte[9];
        RANDOM.nextBytes(id);
        h.createUpdate("INSERT INTO token_signing_keys (kid, secret) VALUES (:kid, :secret) ON CONFLICT DO NOTHING")
                .bind("kid", "k" + Base64.getUrlEncoder().withoutPadding().encodeToString(id))
                .bind("secret", secret).execute();
    }
}
