package io.wrenn.controlplane.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.FakeOAuthProvider;
import io.wrenn.controlplane.testing.FakeOAuthProvider.Account;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OAuth login (authorization code + PKCE) against a provider the test runs on loopback. */
class OAuthLoginTest {

    static FakeOAuthProvider provider;
    static OAuthBrowser browser;
    static TestControlPlane wrenn;
    static int port;

    @BeforeAll
    static void start() {
        provider = new FakeOAuthProvider();
        browser = new OAuthBrowser(provider);
        port = browser.port;
        wrenn = browser.controlPlane(b -> { });
    }

    @AfterAll
    static void stop() {
        wrenn.close();
        provider.close();
    }

    static Http.Response loginAs(Account account) throws Exception {
        return browser.loginAs(wrenn, account);
    }

    static String redirect(String url) throws Exception {
        return OAuthBrowser.redirect(url);
    }

    @Test
    void theConfiguredProvidersAreListedWithoutCredentials() {
        Http.Response listed = wrenn.http.withKey(null).get("/v1/auth/providers");
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        assertThat(listed.json().get("providers").size()).isEqualTo(1);
        assertThat(listed.json().get("providers").get(0).get("id").stringValue()).isEqualTo("github");
        assertThat(listed.json().get("providers").get(0).get("name").stringValue()).isEqualTo("GitHub");
        assertThat(listed.text()).as("nothing of its configuration").doesNotContain(FakeOAuthProvider.CLIENT_ID)
                .doesNotContain(FakeOAuthProvider.CLIENT_SECRET).doesNotContain("127.0.0.1");
    }

    @Test
    void aFirstLoginCreatesThePersonAndATeamAndALaterOneFindsThem() throws Exception {
        int before = provider.verifiedExchanges.get();
        Account octo = Account.verified("octocat", "Octo.Cat@Example.com");
        Http.Response first = loginAs(octo);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(provider.verifiedExchanges.get()).as("the PKCE verifier matched").isEqualTo(before + 1);
        assertThat(first.json().get("user").get("email").stringValue()).isEqualTo("octo.cat@example.com");
        assertThat(first.json().get("team").get("role").stringValue()).isEqualTo("owner");
        Http octoHttp = wrenn.http.withToken(first.json().get("token").stringValue());
        assertThat(octoHttp.get("/v1/sandboxes").status()).isEqualTo(200);

        Http.Response again = loginAs(octo);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("user").get("id").stringValue()).isEqualTo(first.json().get("user").get("id").stringValue());
        assertThat(again.json().get("team").get("id").stringValue()).isEqualTo(first.json().get("team").get("id").stringValue());
        // No password was ever set: password login cannot get in.
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login", "{\"email\":\"octo.cat@example.com\",\"password\":\"\"}").status())
                .isEqualTo(401);
    }

    /**
     * Issue 19: someone signs up with a password and the victim's address (nothing verifies it
     * without mail); the victim then logs in through their provider. Linking would give the
     * squatter, who knows the password, the victim's account: it is refused and nothing is linked.
     */
    @Test
    void anAccountWhoseAddressWasNeverVerifiedIsNotLinked() throws Exception {
        Person squatter = wrenn.signup("Victim");
        assertThat(squatter.http().get("/v1/me").json().get("user").get("email_verified").booleanValue()).isFalse();
        Account victim = Account.verified("victim", squatter.email());
        Http.Response refused = loginAs(victim);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("account_unverified");
        assertThat(refused.json().get("message").stringValue()).contains("password");
        assertThat(identitiesOf(squatter.userId())).as("nothing linked").isZero();
        assertThat(loginAs(victim).status()).as("still refused").isEqualTo(409);
        assertThat(identitiesOf(squatter.userId())).isZero();
    }

    /** Once the address is verified (here: as a followed link would), the provider's login is linked to it. */
    @Test
    void aVerifiedAccountIsLinked() throws Exception {
        Person existing = wrenn.signup("Linus");
        try (var db = java.sql.DriverManager.getConnection(wrenn.jdbcUrl, io.wrenn.controlplane.testing.TestPostgres.user(),
                io.wrenn.controlplane.testing.TestPostgres.password())) {
            db.createStatement().execute("UPDATE users SET email_verified_at = now() WHERE email = '" + existing.email() + "'");
        }
        Http.Response linked = loginAs(Account.verified("linus", existing.email()));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
        assertThat(linked.json().get("user").get("id").stringValue()).isEqualTo(existing.userId());
        assertThat(linked.json().get("team").get("id").stringValue()).isEqualTo(existing.teamId());
        assertThat(identitiesOf(existing.userId())).isEqualTo(1);
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + existing.email() + "\",\"password\":\"" + existing.password() + "\"}").status()).isEqualTo(200);
    }

    static int identitiesOf(String userWireId) throws Exception {
        java.util.UUID id = io.wrenn.controlplane.ids.WireId.USER.decode(userWireId).orElseThrow();
        try (var db = java.sql.DriverManager.getConnection(wrenn.jdbcUrl, io.wrenn.controlplane.testing.TestPostgres.user(),
                io.wrenn.controlplane.testing.TestPostgres.password());
             var query = db.prepareStatement("SELECT count(*) FROM oauth_identities WHERE user_id = ?")) {
            query.setObject(1, id);
            try (var rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void anUnverifiedEmailIsNotEnough() throws Exception {
        Person existing = wrenn.signup("Victim");
        Account impostor = new Account(424242, "impostor", "Impostor",
                List.of(Map.of("email", existing.email(), "primary", true, "verified", false)));
        Http.Response refused = loginAs(impostor);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo("invalid_request");
    }

    @Test
    void aStateIsSingleUseAndMustBeOurs() throws Exception {
        OAuthBrowser.Started started = browser.start(Account.verified("replayer", "replayer@example.com"));
        String callback = started.callback();
        Http inBrowser = wrenn.http.withKey(null).withHeader("Cookie", started.cookie());
        assertThat(inBrowser.get(callback).status()).isEqualTo(200);
        assertThat(inBrowser.get(callback).status()).as("replayed").isEqualTo(400);
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/github/callback?code=x&state=made-up").status()).isEqualTo(400);
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/github/callback?state=x").status()).isEqualTo(400);
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/gitlab/authorize").status()).isEqualTo(404);
        String state = URLDecoder.decode(callback.replaceAll(".*state=", ""), StandardCharsets.UTF_8);
        assertThat(state).isNotEmpty();
    }

    /**
     * Login CSRF: a state started in the attacker's browser and finished in the victim's would log
     * the victim into the attacker's account. The state is honoured only with the cookie of the
     * browser that started it.
     */
    @Test
    void aStateIsHonouredOnlyInTheBrowserThatStartedIt() throws Exception {
        OAuthBrowser.Started started = browser.start(Account.verified("csrf", "csrf-" + java.util.UUID.randomUUID() + "@example.com"));
        assertThat(started.setCookie()).startsWith(OAuthRoutes.BROWSER_COOKIE + "=").contains("; HttpOnly").contains("; SameSite=Lax")
                .contains("; Path=/v1/auth/oauth/github/callback").contains("; Max-Age=600")
                .as("the public URL is http here").doesNotContain("Secure");
        Http.Response withoutCookie = wrenn.http.withKey(null).get(started.callback());
        assertThat(withoutCookie.status()).isEqualTo(400);
        assertThat(withoutCookie.code()).isEqualTo("oauth_browser_mismatch");
        assertThat(withoutCookie.header("Set-Cookie")).as("cleared").contains(OAuthRoutes.BROWSER_COOKIE + "=;").contains("Max-Age=0");
        assertThat(wrenn.http.withKey(null).withHeader("Cookie", started.cookie()).get(started.callback()).status())
                .as("the refused state is spent").isEqualTo(400);

        OAuthBrowser.Started other = browser.start(Account.verified("csrf2", "csrf2-" + java.util.UUID.randomUUID() + "@example.com"));
        OAuthBrowser.Started mine = browser.start(Account.verified("csrf3", "csrf3-" + java.util.UUID.randomUUID() + "@example.com"));
        Http.Response wrongCookie = wrenn.http.withKey(null).withHeader("Cookie", mine.cookie()).get(other.callback());
        assertThat(wrongCookie.status()).isEqualTo(400);
        assertThat(wrongCookie.code()).isEqualTo("oauth_browser_mismatch");
        Http.Response right = wrenn.http.withKey(null).withHeader("Cookie", mine.cookie()).get(mine.callback());
        assertThat(right.status()).as(right.toString()).isEqualTo(200);
        assertThat(right.header("Set-Cookie")).contains("Max-Age=0");
        Http.Response hugeCookie = wrenn.http.withKey(null).withHeader("Cookie", OAuthRoutes.BROWSER_COOKIE + "=" + "x".repeat(4000))
                .get(other.callback());
        assertThat(hugeCookie.status()).isEqualTo(400);
    }

    @Test
    void aDisabledPersonCannotLogInThroughTheProvider() throws Exception {
        Account mallory = Account.verified("mallory", "mallory-oauth@example.com");
        Http.Response first = loginAs(mallory);
        String userId = first.json().get("user").get("id").stringValue();
        Http admin = wrenn.http.withToken(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"admin@localhost\",\"password\":\"" + wrenn.adminPassword + "\"}").json().get("token").stringValue());
        assertThat(admin.post("/v1/admin/users/" + userId + "/disable", "").status()).isEqualTo(204);
        Http.Response refused = loginAs(mallory);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("account_disabled");
    }
}
