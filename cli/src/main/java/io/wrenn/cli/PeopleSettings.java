package io.wrenn.cli;

import io.wrenn.controlplane.mail.MailSettings;
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
 *
 * <p>Mail, enabled when {@code WRENN_SMTP_URL} is set ({@code smtp://user:password@host:587},
 * STARTTLS when offered, or {@code smtps://…} for TLS from the start); it then needs
 * {@code WRENN_MAIL_FROM} (the sender) and {@code WRENN_PUBLIC_URL} (where people reach this
 * Wrenn, for the links in the mails). With mail, sign-ups are verified by a mailed link.
 */
record PeopleSettings(List<String> trustedProxies, List<OAuthProvider> oauthProviders, MailSettings mail) {

    static PeopleSettings fromEnvironment(Map<String, String> env) {
        List<String> proxies = Arrays.stream(env.getOrDefault("WRENN_TRUSTED_PROXIES", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        String id = env.get("WRENN_GITHUB_CLIENT_ID");
        String secret = env.get("WRENN_GITHUB_CLIENT_SECRET");
        String redirect = env.get("WRENN_GITHUB_REDIRECT_URI");
        MailSettings mail = mail(env);
        if (id == null || secret == null || redirect == null) {
            return new PeopleSettings(proxies, List.of(), mail);
        }
        OAuthProvider github = OAuthProvider.github(id, secret, URI.create(redirect));
        github = new OAuthProvider(github.name(),
                uri(env, "WRENN_GITHUB_AUTHORIZE_URL", github.authorizeUrl()),
                uri(env, "WRENN_GITHUB_TOKEN_URL", github.tokenUrl()),
                uri(env, "WRENN_GITHUB_USER_URL", github.userUrl()),
                uri(env, "WRENN_GITHUB_EMAILS_URL", github.emailsUrl()),
                id, secret, github.redirectUri(), github.scope());
        return new PeopleSettings(proxies, List.of(github), mail);
    }

    private static MailSettings mail(Map<String, String> env) {
        String smtp = env.get("WRENN_SMTP_URL");
        if (smtp == null || smtp.isBlank()) {
            return null;
        }
        String from = env.get("WRENN_MAIL_FROM");
        String publicUrl = env.get("WRENN_PUBLIC_URL");
        if (from == null || from.isBlank() || publicUrl == null || publicUrl.isBlank()) {
            throw new IllegalArgumentException(
                    "WRENN_SMTP_URL needs WRENN_MAIL_FROM (the sender) and WRENN_PUBLIC_URL (e.g. https://wrenn.example, for the links mailed)");
        }
        URI url;
        try {
            url = new URI(publicUrl.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("WRENN_PUBLIC_URL is not a URL: " + publicUrl);
        }
        return MailSettings.parse(smtp, from, url);
    }

    private static URI uri(Map<String, String> env, String name, URI fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : URI.create(value);
    }
}
