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

    @Test
    void mailFromTheEnvironmentNeverShowsItsPassword() {
        assertThat(PeopleSettings.fromEnvironment(Map.of()).mail()).as("no SMTP: no mail").isNull();
        PeopleSettings settings = PeopleSettings.fromEnvironment(Map.of(
                "WRENN_SMTP_URL", "smtp://wrenn%40example.com:p%3Ass@mail.example:2525?starttls=required",
                "WRENN_MAIL_FROM", "Wrenn <wrenn@example.com>",
                "WRENN_PUBLIC_URL", "https://wrenn.example/"));
        var mail = settings.mail();
        assertThat(mail.host()).isEqualTo("mail.example");
        assertThat(mail.port()).isEqualTo(2525);
        assertThat(mail.user()).isEqualTo("wrenn@example.com");
        assertThat(mail.password()).isEqualTo("p:ss");
        assertThat(mail.implicitTls()).isFalse();
        assertThat(mail.requireStartTls()).isTrue();
        assertThat(mail.link("/dashboard/verify-email#token=t")).isEqualTo("https://wrenn.example/dashboard/verify-email#token=t");
        assertThat(mail.toString()).doesNotContain("p:ss").doesNotContain("p%3Ass");
        var smtps = PeopleSettings.fromEnvironment(Map.of("WRENN_SMTP_URL", "smtps://mail.example",
                "WRENN_MAIL_FROM", "wrenn@example.com", "WRENN_PUBLIC_URL", "http://127.0.0.1:8080")).mail();
        assertThat(smtps.port()).isEqualTo(465);
        assertThat(smtps.implicitTls()).isTrue();
        assertThat(smtps.user()).isNull();
    }

    @Test
    void mailWithoutSenderOrPublicUrlOrWithABadUrlIsRefusedWithoutEchoingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeopleSettings.fromEnvironment(Map.of(
                        "WRENN_SMTP_URL", "smtp://u:secret@mail.example")))
                .hasMessageContaining("WRENN_MAIL_FROM").hasMessageNotContaining("secret");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeopleSettings.fromEnvironment(Map.of(
                        "WRENN_SMTP_URL", "http://u:secret@mail.example", "WRENN_MAIL_FROM", "w@example.com",
                        "WRENN_PUBLIC_URL", "https://wrenn.example")))
                .hasMessageContaining("smtp://").hasMessageNotContaining("secret");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeopleSettings.fromEnvironment(Map.of(
                        "WRENN_SMTP_URL", "smtp://mail.example", "WRENN_MAIL_FROM", "w@example.com",
                        "WRENN_PUBLIC_URL", "ftp://wrenn.example")))
                .hasMessageContaining("WRENN_PUBLIC_URL");
    }
}
