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

    @Test
    void aVerifiedEmailLinksToTheExistingAccount() throws Exception {
        Person existing = wrenn.signup("Linus");
        Http.Response linked = loginAs(Account.verified("linus", existing.email()));
        assertThat(linked.status()).isEqualTo(200);
        assertThat(linked.json().get("user").get("id").stringValue()).isEqualTo(existing.userId());
        assertThat(linked.json().get("team").get("id").stringValue()).isEqualTo(existing.teamId());
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + existing.email() + "\",\"password\":\"" + existing.password() + "\"}").status()).isEqualTo(200);
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
        provider.approveAs(Account.verified("replayer", "replayer@example.com"));
        String back = redirect(redirect("http://127.0.0.1:" + port + "/v1/auth/oauth/github/authorize"));
        String callback = back.substring(back.indexOf("/v1/"));
        assertThat(wrenn.http.withKey(null).get(callback).status()).isEqualTo(200);
        assertThat(wrenn.http.withKey(null).get(callback).status()).as("replayed").isEqualTo(400);
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/github/callback?code=x&state=made-up").status()).isEqualTo(400);
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/github/callback?state=x").status()).isEqualTo(400);
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/gitlab/authorize").status()).isEqualTo(404);
        String state = URLDecoder.decode(callback.replaceAll(".*state=", ""), StandardCharsets.UTF_8);
        assertThat(state).isNotEmpty();
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
