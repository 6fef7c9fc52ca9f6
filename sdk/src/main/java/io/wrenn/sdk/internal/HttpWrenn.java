package io.wrenn.sdk.internal;

import io.wrenn.sdk.ApiKeys;
import io.wrenn.sdk.Builds;
import io.wrenn.sdk.Sandboxes;
import io.wrenn.sdk.Templates;
import io.wrenn.sdk.Wrenn;
import java.net.URI;
import java.time.Duration;
import java.util.function.BiConsumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link Wrenn} over the REST API and the process WebSocket. */
public final class HttpWrenn implements Wrenn {

    /** How to reach the server and how patiently. */
    public record Settings(URI url, Duration connectTimeout, Duration requestTimeout, Duration lifecycleTimeout,
                           int maxRetries) {
    }

    /** The header a call authenticates with: a team's key or a person's token. */
    public record Credential(String header, String value) {
        public static Credential apiKey(String key) {
            return new Credential("X-API-Key", key);
        }

        public static Credential bearer(String token) {
            return new Credential("Authorization", "Bearer " + token);
        }

        static Credential none() {
            return new Credential(null, null);
        }

        void apply(BiConsumer<String, String> headers) {
            if (header != null) {
                headers.accept(header, value);
            }
        }
    }

    private final Transport transport;
    private final HttpSandboxes sandboxes;
    private final HttpTemplates templates;
    private final HttpApiKeys apiKeys;
    private final HttpBuilds builds;

    public HttpWrenn(Settings settings, Credential credential) {
        this.transport = new Transport(settings, credential);
        this.templates = new HttpTemplates(transport);
        this.sandboxes = new HttpSandboxes(transport, templates);
        this.apiKeys = new HttpApiKeys(transport);
        this.builds = new HttpBuilds(transport);
    }

    /** Logs in with email and password and answers a client acting with the person's token. */
    public static HttpWrenn login(Settings settings, String email, String password) {
        try (Transport anonymous = new Transport(settings, Credential.none())) {
            ObjectNode body = Json.object().put("email", email).put("password", password);
            JsonNode session = anonymous.post("/v1/auth/login", body);
            return new HttpWrenn(settings, Credential.bearer(Json.text(session, "token")));
        }
    }

    @Override
    public Sandboxes sandboxes() {
        return sandboxes;
    }

    @Override
    public Templates templates() {
        return templates;
    }

    @Override
    public Builds builds() {
        return builds;
    }

    @Override
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    @Override
    public void close() {
        transport.close();
    }
}
