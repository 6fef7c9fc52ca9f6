package io.wrenn.controlplane.oauth;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Jsons;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The control plane's side of the code exchange and the profile calls, over the JDK's HTTP client. */
final class OAuthClient {

    private static final Logger log = LoggerFactory.getLogger(OAuthClient.class);
    /** A provider's answers are small; anything bigger is not one. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** What the provider says about the person. {@code email} is their verified primary address. */
    record Profile(String subject, String login, String name, String email) {
    }

    String exchange(OAuthProvider provider, String code, String codeVerifier) {
        String form = form(Map.of(
                "grant_type", "authorization_code",
                "code", code,
                "redirect_uri", provider.redirectUri().toString(),
                "client_id", provider.clientId(),
                "client_secret", provider.clientSecret(),
                "code_verifier", codeVerifier));
        JsonNode answer = call(HttpRequest.newBuilder(provider.tokenUrl())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), true);
        JsonNode token = answer.get("access_token");
        if (answer.has("error") || token == null || !token.isString() || token.stringValue().isEmpty()) {
            throw ApiException.invalid("the provider did not accept the authorization code");
        }
        return token.stringValue();
    }

    Profile profile(OAuthProvider provider, String accessToken) {
        JsonNode user = call(authorized(provider.userUrl(), accessToken), false);
        JsonNode id = user.get("id");
        if (id == null || !(id.isIntegralNumber() || id.isString())) {
            throw providerError("the provider's user has no id");
        }
        JsonNode emails = call(authorized(provider.emailsUrl(), accessToken), false);
        String email = null;
        if (emails.isArray()) {
            for (JsonNode entry : emails) {
                boolean verified = entry.path("verified").asBoolean(false);
                if (verified && entry.path("email").isString() && (email == null || entry.path("primary").asBoolean(false))) {
                    email = entry.get("email").stringValue();
                }
            }
        }
        if (email == null) {
            throw ApiException.invalid("the provider has no verified email address for this account");
        }
        return new Profile(id.asString(), text(user, "login"), text(user, "name"), email);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static HttpRequest.Builder authorized(URI url, String accessToken) {
        return HttpRequest.newBuilder(url).header("Authorization", "Bearer " + accessToken).GET();
    }

    private JsonNode call(HttpRequest.Builder request, boolean tokenCall) {
        HttpRequest built = request.header("Accept", "application/json").timeout(Duration.ofSeconds(15)).build();
        try {
            HttpResponse<InputStream> response = http.send(built, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
            if (body.length > MAX_ANSWER_BYTES) {
                throw providerError("the provider's answer is too large");
            }
            if (response.statusCode() == 400 || response.statusCode() == 401) {
                if (tokenCall) {
                    throw ApiException.invalid("the provider did not accept the authorization code");
                }
                throw providerError("the provider refused its own token");
            }
            if (response.statusCode() != 200) {
                log.warn("OAuth provider answered {} to {}", response.statusCode(), built.uri());
                throw providerError("the provider failed");
            }
            return Jsons.mapper().readTree(body);
        } catch (IOException | JacksonException e) {
            log.warn("OAuth provider call to {} failed: {}", built.uri(), e.toString());
            throw providerError("the provider could not be reached or answered nonsense");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw providerError("interrupted");
        }
    }

    private static ApiException providerError(String message) {
        return new ApiException(ErrorCode.OAUTH_PROVIDER_ERROR, message);
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
