package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With a maximum lifetime for signed URLs, a signed {@code /files} URL without an expiry, with a
 * broken one, or with one further ahead than the maximum is refused (401) before any sandbox is
 * reached; one within it reaches the sandbox that signed it. Signed with the guest agent's own
 * function, as the SDKs sign.
 */
class SignedUrlLifetimeTest {

    private TestControlPlane wrenn;
    private String token;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane(builder -> builder.signedUrlLifetime(new SignedUrlLifetime(Duration.ofHours(1))));
        Http.Response created = wrenn.http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        token = created.json().get("envdAccessToken").stringValue();
    }

    @AfterEach
    void stop() {
        wrenn.close();
    }

    private HttpResponse<String> download(Optional<String> expiration) throws Exception {
        String path = "/home/user/a.txt";
        String signature = URLEncoder.encode(io.wrenn.envd.files.SignedUrls.sign(path, "read", "", token, expiration),
                StandardCharsets.UTF_8);
        String url = "http://127.0.0.1:" + wrenn.controlPlane.port() + "/files?path=" + path + "&signature=" + signature
                + expiration.map(e -> "&signature_expiration=" + e).orElse("");
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSignedUrlMustExpireWithinTheLifetime() throws Exception {
        long now = Instant.now().getEpochSecond();

        HttpResponse<String> within = download(Optional.of(Long.toString(now + 600)));
        assertThat(within.statusCode()).as(within.body()).isEqualTo(200);
        assertThat(within.body()).isEqualTo("from the sandbox");
        wrenn.agent.lastTrafficHeaders = null;

        for (Optional<String> refused : java.util.List.of(Optional.<String>empty(), Optional.of(Long.toString(now + 7200)),
                Optional.of("soon"))) {
            HttpResponse<String> response = download(refused);
            assertThat(response.statusCode()).as("expiration %s: %s", refused, response.body()).isEqualTo(401);
            assertThat(response.body()).contains("signature_expiration");
        }
        assertThat(wrenn.agent.lastTrafficHeaders).as("a refused URL reached the sandbox").isNull();
    }

    @Test
    void withoutALifetimeNoExpiryIsDemanded() {
        SignedUrlLifetime.UNBOUNDED.check(null, Instant.now());
        SignedUrlLifetime.UNBOUNDED.check("99999999999", Instant.now());
    }
}
