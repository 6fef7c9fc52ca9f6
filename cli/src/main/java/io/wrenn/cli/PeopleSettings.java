package io.wrenn.cli;

import io.wrenn.controlplane.oauth.OAuthProvider;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The control plane's people settings read from the environment:
 * {@code WRENN_TRUSTED_PROXIES} (comma-separated addresses or CIDR ranges whose
 * {@code X-Forwarded-For} is believed; default none) and GitHub login, enabled when
 * {@code WRENN_GITHUB_CLIENT_ID}, {@code WRENN_GITHUB_CLIENT_SECRET} and
 * {@code WRENN_GITHUB_REDIRECT_URI} are set ({@code WRENN_GITHUB_AUTHORIZE_URL},
 * {@code _TOKEN_URL}, {@code _USER_URL}, {@code _EMAILS_URL} point it at a GitHub Enterprise).
 * For logins from the dashboard the redirect URI is its page
 * {@code https://wrenn.example/dashboard/oauth/github/callback}.
 */
record PeopleSettings(List<String> trustedProxies, List<OAuthProvider> oauthProviders) {

    static PeopleSettings fromEnvironment(Map<String, String> env) {
        List<String> proxies = Arrays.stream(env.getOrDefault("WRENN_TRUSTED_PROXIES", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        String id = env.get("WRENN_GITHUB_CLIENT_ID");
        String secret = env.get("WRENN_GITHUB_CLIENT_SECRET");
        String redirect = env.get("WRENN_GITHUB_REDIRECT_URI");
        if (id == null || secret == null || redirect == null) {
            return new PeopleSettings(proxies, List.of());
        }
        OAuthProvider github = OAuthProvider.github(id, secret, URI.create(redirect));
        github = new OAuthProvider(github.name(),
                uri(env, "WRENN_GITHUB_AUTHORIZE_URL", github.authorizeUrl()),
                uri(env, "WRENN_GITHUB_TOKEN_URL", github.tokenUrl()),
                uri(env, "WRENN_GITHUB_USER_URL", github.userUrl()),
                uri(env, "WRENN_GITHUB_EMAILS_URL", github.emailsUrl()),
                id, secret, github.redirectUri(), github.scope());
        return new PeopleSettings(proxies, List.of(github));
    }

    private static URI uri(Map<String, String> env, String name, URI fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : URI.create(value);
    }
}
