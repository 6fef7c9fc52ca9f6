package io.wrenn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PeopleSettingsTest {

    @Test
    void nothingSetTrustsNoProxyAndOffersNoOAuth() {
        PeopleSettings settings = PeopleSettings.fromEnvironment(Map.of());
        assertThat(settings.trustedProxies()).isEmpty();
        assertThat(settings.oauthProviders()).isEmpty();
    }

    @Test
    void gitHubLoginAndProxiesFromTheEnvironment() {
        PeopleSettings settings = PeopleSettings.fromEnvironment(Map.of(
                "WRENN_TRUSTED_PROXIES", " 10.0.0.1, 192.168.0.0/16 ,",
                "WRENN_GITHUB_CLIENT_ID", "id",
                "WRENN_GITHUB_CLIENT_SECRET", "secret",
                "WRENN_GITHUB_REDIRECT_URI", "https://wrenn.example/v1/auth/oauth/github/callback",
                "WRENN_GITHUB_TOKEN_URL", "https://ghe.example/login/oauth/access_token"));
        assertThat(settings.trustedProxies()).containsExactly("10.0.0.1", "192.168.0.0/16");
        assertThat(settings.oauthProviders()).hasSize(1);
        var github = settings.oauthProviders().getFirst();
        assertThat(github.name()).isEqualTo("github");
        assertThat(github.tokenUrl().toString()).isEqualTo("https://ghe.example/login/oauth/access_token");
        assertThat(github.authorizeUrl().toString()).isEqualTo("https://github.com/login/oauth/authorize");
        assertThat(github.redirectUri().getHost()).isEqualTo("wrenn.example");
    }
}
