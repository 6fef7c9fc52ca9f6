package io.wrenn.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.testing.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The signing keys' life in the database: one signs, retired ones verify until their tokens expire, then go. */
class SigningKeysTest {

    private Database db;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    private Jdbi freshDatabase() {
        db = Database.open(TestPostgres.newDatabase(), TestPostgres.user(), TestPostgres.password());
        return db.jdbi();
    }

    /** A token as the releases before key ids made it: HS256, no kid. */
    private static String preKidToken(byte[] secret) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("wrenn").subject(UUID.randomUUID().toString())
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(15))))
                .jwtID(UUID.randomUUID().toString()).claim("gen", 0).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    @Test
    void aRetiredKeyVerifiesUntilItsTokensCanHaveExpiredAndIsThenDeleted() throws Exception {
        Jdbi jdbi = freshDatabase();
        // Keys are kept for a 1 s token lifetime; the tokens themselves live an hour so only the key's deletion can end them.
        SigningKeys keys = new SigningKeys(jdbi, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO);
        Tokens tokens = new Tokens(keys, Duration.ofHours(1), Clock.systemUTC());
        UUID user = UUID.randomUUID();
        String old = tokens.issue(user, null, 0).token();
        String oldKid = SignedJWT.parse(old).getHeader().getKeyID();

        keys.rotate(false);
        String fresh = tokens.issue(user, null, 0).token();
        assertThat(SignedJWT.parse(fresh).getHeader().getKeyID()).isNotEqualTo(oldKid);
        assertThat(tokens.verify(old)).as("signed by the retired key").isPresent();
        assertThat(keys.keys()).extracting(SigningKeys.Key::kid).contains(oldKid);

        Thread.sleep(1500);
        assertThat(keys.keys()).extracting(SigningKeys.Key::kid).doesNotContain(oldKid).hasSize(1);
        assertThat(tokens.verify(old)).isEmpty();
        assertThat(tokens.verify(fresh)).isPresent();
    }

    @Test
    void twoControlPlanesShareTheKeysAndSeeEachOthersRotation() {
        Jdbi jdbi = freshDatabase();
        Tokens one = new Tokens(new SigningKeys(jdbi, Duration.ofMinutes(15), Duration.ofMinutes(10), Duration.ZERO),
                Duration.ofMinutes(15), Clock.systemUTC());
        SigningKeys otherKeys = new SigningKeys(jdbi, Duration.ofMinutes(15), Duration.ofMinutes(10), Duration.ZERO);
        Tokens other = new Tokens(otherKeys, Duration.ofMinutes(15), Clock.systemUTC());
        assertThat(otherKeys.keys()).as("one first key for both").hasSize(1);
        otherKeys.rotate(false);
        String byOther = other.issue(UUID.randomUUID(), null, 0).token();
        // The first control plane has not re-read the keys, but a kid it does not know makes it look.
        await(() -> one.verify(byOther).isPresent());
    }

    /** The re-read on an unknown kid is at most once a second. */
    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void theUpgradeKeepsTheOldKeyForItsTokensOnlyAndSignsWithANewOne() throws Exception {
        String url = TestPostgres.newDatabase();
        // The database as the release before key ids left it.
        Flyway.configure().dataSource(url, TestPostgres.user(), TestPostgres.password()).locations("classpath:db/migration")
                .outOfOrder(true).target("72").load().migrate();
        byte[] oldSecret = new byte[32];
        new java.security.SecureRandom().nextBytes(oldSecret);
        Jdbi before = Jdbi.create(url, TestPostgres.user(), TestPostgres.password());
        before.useHandle(h -> h.createUpdate("INSERT INTO control_plane_secrets (name, value) VALUES ('token-signing-key', :v)")
                .bind("v", oldSecret).execute());

        db = Database.open(url, TestPostgres.user(), TestPostgres.password());
        SigningKeys keys = new SigningKeys(db.jdbi(), Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ZERO);
        Tokens tokens = new Tokens(keys, Duration.ofMinutes(15), Clock.systemUTC());
        assertThat(tokens.verify(preKidToken(oldSecret))).as("a token issued before the upgrade").isPresent();
        assertThat(tokens.verify(preKidToken(new byte[32]))).isEmpty();
        String issued = tokens.issue(UUID.randomUUID(), null, 0).token();
        assertThat(SignedJWT.parse(issued).getHeader().getKeyID()).isNotEqualTo(SigningKeys.PRE_KID).isNotBlank();
        assertThat(keys.keys()).filteredOn(k -> k.kid().equals(SigningKeys.PRE_KID)).singleElement()
                .satisfies(k -> assertThat(k.retiredAt()).isNotNull());
        boolean oldTableGone = db.jdbi().withHandle(h -> h.createQuery("SELECT to_regclass('control_plane_secrets') IS NULL")
                .mapTo(Boolean.class).one());
        assertThat(oldTableGone).as("the old secret is not left behind").isTrue();
    }
}
