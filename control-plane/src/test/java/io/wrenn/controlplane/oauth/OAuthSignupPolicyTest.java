package io.wrenn.controlplane.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.account.SignupPolicy;
import io.wrenn.controlplane.testing.FakeOAuthProvider;
import io.wrenn.controlplane.testing.FakeOAuthProvider.Account;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A first OAuth login is a sign-up: the operator's sign-up policy decides it as it decides a password sign-up. */
class OAuthSignupPolicyTest {

    static FakeOAuthProvider provider;

    @BeforeAll
    static void start() {
        provider = new FakeOAuthProvider();
    }

    @AfterAll
    static void stop() {
        provider.close();
    }

    private static TestControlPlane withPolicy(OAuthBrowser browser, SignupPolicy.Mode mode, List<String> domains) {
        return browser.controlPlane(b -> b.signup(new SignupPolicy(mode, domains, 10_000, 10_000)));
    }

    @Test
    void closedSignUpRefusesAFirstLoginAndMakesNoAccount() throws Exception {
        OAuthBrowser browser = new OAuthBrowser(provider);
        try (TestControlPlane wrenn = withPolicy(browser, SignupPolicy.Mode.CLOSED, List.of())) {
            Account stranger = Account.verified("stranger", "stranger@example.com");
            Http.Response refused = browser.loginAs(wrenn, stranger);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("signup_closed");
            assertThat(refused.json().get("message").stringValue()).contains("closed");
            assertThat(accountsNamed(wrenn, "stranger@example.com")).isZero();
            // Refused again, not let in by an identity half-linked by the first attempt.
            assertThat(browser.loginAs(wrenn, stranger).code()).isEqualTo("signup_closed");
        }
    }

    @Test
    void domainSignUpAdmitsOnlyItsDomainsThroughTheProviderToo() throws Exception {
        OAuthBrowser browser = new OAuthBrowser(provider);
        try (TestControlPlane wrenn = withPolicy(browser, SignupPolicy.Mode.DOMAINS, List.of("example.com"))) {
            Http.Response outsider = browser.loginAs(wrenn, Account.verified("outsider", "outsider@example.org"));
            assertThat(outsider.status()).isEqualTo(403);
            assertThat(outsider.code()).isEqualTo("signup_closed");
            assertThat(outsider.json().get("message").stringValue()).contains("domains");
            assertThat(accountsNamed(wrenn, "outsider@example.org")).isZero();

            Http.Response insider = browser.loginAs(wrenn, Account.verified("insider", "insider@example.com"));
            assertThat(insider.status()).as(insider.toString()).isEqualTo(200);
            assertThat(insider.json().get("team").get("role").stringValue()).isEqualTo("owner");
        }
    }

    @Test
    void invitationOnlySignUpRefusesAFirstLoginEvenOfAnInvitedEmail() throws Exception {
        OAuthBrowser browser = new OAuthBrowser(provider);
        try (TestControlPlane wrenn = withPolicy(browser, SignupPolicy.Mode.INVITATIONS, List.of())) {
            Http admin = wrenn.http.withToken(wrenn.http.withKey(null).post("/v1/auth/login",
                    "{\"email\":\"admin@localhost\",\"password\":\"" + wrenn.adminPassword + "\"}").json().get("token").stringValue());
            String team = admin.get("/v1/me").json().get("team").get("id").stringValue();
            assertThat(TestControlPlane.invite(admin, team, "invited@example.com", "member").status()).isEqualTo(201);
            // A provider login carries no invitation: the person signs up from the invitation's link.
            Http.Response refused = browser.loginAs(wrenn, Account.verified("invited", "invited@example.com"));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("signup_closed");
            assertThat(refused.json().get("message").stringValue()).contains("invitation");
            assertThat(accountsNamed(wrenn, "invited@example.com")).isZero();
        }
    }

    @Test
    void anExistingAccountStillLinksWhateverThePolicy() throws Exception {
        OAuthBrowser browser = new OAuthBrowser(provider);
        try (TestControlPlane wrenn = withPolicy(browser, SignupPolicy.Mode.CLOSED, List.of())) {
            // The bootstrap admin exists before any policy applies; logging in is not signing up.
            // Its address must be verified to be linked (as a followed link would have done).
            try (var db = java.sql.DriverManager.getConnection(wrenn.jdbcUrl, io.wrenn.controlplane.testing.TestPostgres.user(),
                    io.wrenn.controlplane.testing.TestPostgres.password())) {
                db.createStatement().execute("UPDATE users SET email_verified_at = now() WHERE email = 'admin@localhost'");
            }
            Http.Response admin = browser.loginAs(wrenn, Account.verified("root", "admin@localhost"));
            assertThat(admin.status()).as(admin.toString()).isEqualTo(200);
            assertThat(admin.json().get("user").get("email").stringValue()).isEqualTo("admin@localhost");
        }
    }

    private static int accountsNamed(TestControlPlane wrenn, String email) {
        Http admin = wrenn.http.withToken(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"admin@localhost\",\"password\":\"" + wrenn.adminPassword + "\"}").json().get("token").stringValue());
        Http.Response users = admin.get("/v1/admin/users?limit=100");
        assertThat(users.status()).as(users.toString()).isEqualTo(200);
        int found = 0;
        for (var user : users.json().get("users")) {
            if (user.get("email").stringValue().equals(email)) {
                found++;
            }
        }
        return found;
    }
}
