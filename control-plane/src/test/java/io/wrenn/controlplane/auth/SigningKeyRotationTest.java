package io.wrenn.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.SignedJWT;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** People's tokens name their signing key; admins rotate it without logging anyone out. */
class SigningKeyRotationTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static Jdbi database;

    @BeforeAll
    static void connect() {
        database = Jdbi.create(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
    }

    /** A fresh admin token: a test that drops retired keys ends every older one. */
    static Http admin() {
        return wrenn.http.withToken(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}")
                .json().get("token").stringValue());
    }

    static String kidOf(String token) throws Exception {
        return SignedJWT.parse(token).getHeader().getKeyID();
    }

    static byte[] secretOf(String kid) {
        return database.withHandle(h -> h.createQuery("SELECT secret FROM token_signing_keys WHERE kid = :kid")
                .bind("kid", kid).mapTo(byte[].class).one());
    }

    /** {@code token}'s claims signed again with {@code secret} under {@code kid} (null: no kid). */
    static String resigned(String token, String kid, byte[] secret) throws Exception {
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(),
                SignedJWT.parse(token).getJWTClaimsSet());
        forged.sign(new MACSigner(secret));
        return forged.serialize();
    }

    static Http.Response rotate(Http as, String body) {
        return as.post("/v1/admin/signing-keys/rotate", body);
    }

    @Test
    void aRotationSignsNewTokensWithANewKeyAndOldTokensStayValid() throws Exception {
        Person alice = wrenn.signup("Alice");
        String before = kidOf(alice.token());
        assertThat(before).isNotBlank();

        Http.Response refused = rotate(alice.http(), "");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(kidOf(wrenn.signup("Bob").token())).as("a refused rotation changes nothing").isEqualTo(before);

        Http.Response rotated = rotate(admin(), "");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String after = rotated.json().get("kid").stringValue();
        assertThat(after).isNotEqualTo(before);
        var keys = rotated.json().get("keys");
        assertThat(keys.get(0).get("kid").stringValue()).isEqualTo(after);
        assertThat(keys.get(0).get("retired_at").isNull()).isTrue();
        assertThat(keys.get(1).get("kid").stringValue()).isEqualTo(before);
        assertThat(keys.get(1).get("retired_at").isNull()).isFalse();
        assertThat(keys.get(1).get("deleted_after").stringValue()).isNotBlank();
        assertThat(rotated.text()).doesNotContain("secret");

        assertThat(alice.http().get("/v1/me").status()).as("a token of the retired key").isEqualTo(200);
        Http.Response again = wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + alice.email() + "\",\"password\":\"" + alice.password() + "\"}");
        assertThat(kidOf(again.json().get("token").stringValue())).isEqualTo(after);
    }

    @Test
    void aTokenOfAnUnknownKeyOrOfNoKeyIsRefused() throws Exception {
        Person carol = wrenn.signup("Carol");
        String kid = kidOf(carol.token());
        byte[] secret = secretOf(kid);
        Http anonymous = wrenn.http.withKey(null);
        // The forging is right: the same claims under the real kid pass.
        assertThat(anonymous.withToken(resigned(carol.token(), kid, secret)).get("/v1/me").status()).isEqualTo(200);
        // A valid signature, but no key of that name: refused.
        assertThat(anonymous.withToken(resigned(carol.token(), "made-up", secret)).get("/v1/me").status()).isEqualTo(401);
        // No kid: only the key of the releases before kids may verify it, and this install never had one.
        assertThat(anonymous.withToken(resigned(carol.token(), null, secret)).get("/v1/me").status()).isEqualTo(401);
        assertThat(anonymous.withToken(resigned(carol.token(), SigningKeys.PRE_KID, secret)).get("/v1/me").status()).isEqualTo(401);
    }

    @Test
    void droppingRetiredKeysStopsTheirTokensAtOnce() {
        Person dave = wrenn.signup("Dave");
        Http.Response rotated = rotate(admin(), "{\"drop_retired\":true}");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertThat(rotated.json().get("keys").size()).isEqualTo(1);
        assertThat(dave.http().get("/v1/me").status()).isEqualTo(401);
        // Bad input is refused and changes nothing.
        Http.Response bad = rotate(admin(), "{\"drop_retired\":\"yes\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo("invalid_request");
    }
}
