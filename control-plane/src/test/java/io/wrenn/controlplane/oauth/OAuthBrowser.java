package io.wrenn.controlplane.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.testing.FakeOAuthProvider;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a browser does in an OAuth login against a {@link FakeOAuthProvider}: Wrenn's authorize →
 * the provider (approves) → Wrenn's callback. The control plane's port is chosen before it starts,
 * because the provider must know the callback's address.
 */
final class OAuthBrowser {

    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    final FakeOAuthProvider provider;
    final int port;

    OAuthBrowser(FakeOAuthProvider provider) {
        this.provider = provider;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A control plane on {@link #port} whose {@code github} provider is the fake one. */
    TestControlPlane controlPlane(Consumer<ControlPlaneConfig.Builder> customise) {
        OAuthProvider github = new OAuthProvider("github", provider.url("/authorize"), provider.url("/token"),
                provider.url("/user"), provider.url("/user/emails"), FakeOAuthProvider.CLIENT_ID, FakeOAuthProvider.CLIENT_SECRET,
                URI.create("http://127.0.0.1:" + port + "/v1/auth/oauth/github/callback"), "read:user user:email");
        return new TestControlPlane(b -> {
            b.port(port).oauthProviders(List.of(github));
            customise.accept(b);
        });
    }

    /** A login the browser started: the callback path the provider sent it back to, and the cookie Wrenn set. */
    record Started(String callback, String setCookie) {
        /** The cookie as the browser sends it back: {@code name=value}. */
        String cookie() {
            return setCookie.substring(0, setCookie.indexOf(';'));
        }
    }

    /** Starts a login as {@code account} and follows the provider back, stopping before Wrenn's callback. */
    Started start(FakeOAuthProvider.Account account) throws Exception {
        provider.approveAs(account);
        HttpResponse<String> authorize = BROWSER.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/auth/oauth/github/authorize")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(authorize.statusCode()).isEqualTo(302);
        String toProvider = authorize.headers().firstValue("Location").orElseThrow();
        String setCookie = authorize.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(toProvider).startsWith(provider.url("/authorize").toString()).contains("code_challenge_method=S256");
        String back = redirect(toProvider);
        assertThat(back).startsWith("http://127.0.0.1:" + port + "/v1/auth/oauth/github/callback?");
        return new Started(back.substring(back.indexOf("/v1/")), setCookie);
    }

    /** Logs in as {@code account} in one browser; returns the callback's answer. */
    Http.Response loginAs(TestControlPlane wrenn, FakeOAuthProvider.Account account) throws Exception {
        Started started = start(account);
        return wrenn.http.withKey(null).withHeader("Cookie", started.cookie()).get(started.callback());
    }

    static String redirect(String url) throws Exception {
        HttpResponse<String> response = BROWSER.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " → " + response.body()).isEqualTo(302);
        return response.headers().firstValue("Location").orElseThrow();
    }
}
