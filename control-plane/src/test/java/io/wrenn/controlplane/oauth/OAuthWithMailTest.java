package io.wrenn.controlplane.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.FakeOAuthProvider;
import io.wrenn.controlplane.testing.FakeOAuthProvider.Account;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.SmtpServer;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OAuth logins on a Wrenn that verifies sign-ups by mail (a real SMTP server on loopback). */
class OAuthWithMailTest {


    static FakeOAuthProvider provider;
    static OAuthBrowser browser;
    static SmtpServer smtp;
    static TestControlPlane wrenn;

    @BeforeAll
    static void start() {
        provider = new FakeOAuthProvider();
        browser = new OAuthBrowser(provider);
        smtp = new SmtpServer();
        wrenn = browser.controlPlane(b -> b.mail(smtp.settings("http://127.0.0.1:" + browser.port)));
    }

    @AfterAll
    static void stop() {
        wrenn.close();
        smtp.close();
        provider.close();
    }

    static Http.Response signup(String email, String password) {
        return wrenn.http.withKey(null).post("/v1/auth/signup",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"name\":\"Someone\"}");
    }

    static String linkMailedTo(String email, int n) {
        return smtp.awaitMail(email, n).verificationToken("http://127.0.0.1:" + browser.port);
    }

    @Test
    void anAccountVerifiedByItsLinkIsLinkedToTheProvidersLogin() throws Exception {
        String email = "linked-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        assertThat(signup(email, "linked-password-1").status()).isEqualTo(202);
        Http.Response verified = wrenn.http.withKey(null).post("/v1/auth/verify-email",
                "{\"token\":\"" + linkMailedTo(email, 1) + "\"}");
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        Http.Response linked = browser.loginAs(wrenn, Account.verified("linked", email));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
        assertThat(linked.json().get("user").get("id").stringValue()).isEqualTo(verified.json().get("user").get("id").stringValue());
    }

    /**
     * The takeover of issue 19 with mail: the squatter's sign-up makes no account, so the
     * victim's provider login makes the victim's own; the squatter's link (mailed to the
     * victim) can no longer make a second one.
     */
    @Test
    void aSquattersSignUpNeverBecomesTheVictimsAccount() throws Exception {
        String email = "victim-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        assertThat(signup(email, "squatter-password-1").status()).isEqualTo(202);
        String squattersLink = linkMailedTo(email, 1);

        Http.Response victim = browser.loginAs(wrenn, Account.verified("victim", email));
        assertThat(victim.status()).as(victim.toString()).isEqualTo(200);
        assertThat(victim.json().get("user").get("email_verified").booleanValue()).isTrue();
        assertThat(victim.json().get("team").get("role").stringValue()).isEqualTo("owner");
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + email + "\",\"password\":\"squatter-password-1\"}").status()).isEqualTo(401);

        Http.Response late = wrenn.http.withKey(null).post("/v1/auth/verify-email", "{\"token\":\"" + squattersLink + "\"}");
        assertThat(late.status()).as(late.toString()).isIn(404, 409);
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + email + "\",\"password\":\"squatter-password-1\"}").status()).isEqualTo(401);
    }

    /**
     * An account whose address nobody proved (made before the operator configured mail) is not
     * linked to a provider's login until its person, logged in, asks for a link and follows it.
     */
    @Test
    void anAccountVerifiedWhileLoggedInIsThenLinkedToTheProvidersLogin() throws Exception {
        String email = "later-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        assertThat(signup(email, "later-password-1").status()).isEqualTo(202);
        String userId = wrenn.http.withKey(null).post("/v1/auth/verify-email", "{\"token\":\"" + linkMailedTo(email, 1) + "\"}")
                .json().get("user").get("id").stringValue();
        try (var db = java.sql.DriverManager.getConnection(wrenn.jdbcUrl, io.wrenn.controlplane.testing.TestPostgres.user(),
                io.wrenn.controlplane.testing.TestPostgres.password());
             var update = db.prepareStatement("UPDATE users SET email_verified_at = NULL WHERE email = ?")) {
            update.setString(1, email);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        Http.Response refused = browser.loginAs(wrenn, Account.verified("later", email));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("account_unverified");

        Http.Response login = wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + email + "\",\"password\":\"later-password-1\"}");
        Http person = wrenn.http.withToken(login.json().get("token").stringValue());
        Http.Response asked = person.post("/v1/me/email-verification", "{}");
        assertThat(asked.status()).as(asked.toString()).isEqualTo(202);
        Http.Response verified = wrenn.http.withKey(null).post("/v1/auth/verify-email",
                "{\"token\":\"" + linkMailedTo(email, 2) + "\"}");
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);

        Http.Response linked = browser.loginAs(wrenn, Account.verified("later", email));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
        assertThat(linked.json().get("user").get("id").stringValue()).isEqualTo(userId);
    }
}
