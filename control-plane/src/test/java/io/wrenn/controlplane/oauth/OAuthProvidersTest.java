package io.wrenn.controlplane.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/auth/providers} with no provider configured, and the providers' names for people. */
class OAuthProvidersTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    @Test
    void noProviderConfiguredListsNone() {
        Http.Response listed = wrenn.http.withKey(null).get("/v1/auth/providers");
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        assertThat(listed.json().get("providers").isArray()).isTrue();
        assertThat(listed.json().get("providers").size()).isZero();
        assertThat(listed.json().get("sends_mail").booleanValue()).as("no SMTP server configured").isFalse();
        assertThat(wrenn.http.withKey(null).get("/v1/auth/oauth/github/authorize").status()).isEqualTo(404);
    }

    @Test
    void aProviderIsNamedForPeople() {
        URI any = URI.create("https://auth.example/x");
        assertThat(OAuthProvider.github("id", "secret", any).label()).isEqualTo("GitHub");
        assertThat(new OAuthProvider("gitea", any, any, any, any, "id", "secret", any, null).label()).isEqualTo("Gitea");
    }
}
