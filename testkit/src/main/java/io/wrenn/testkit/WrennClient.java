package io.wrenn.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deliberately plain REST client for tests: it sends exactly what a user's program would
 * (JSON bodies, an X-API-Key header or a person's Bearer token) and hands back status and body unparsed by any
 * Wrenn code, so tests check the wire, not a client library.
 */
public final class WrennClient {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String apiKey;
    private final String token;

    public WrennClient(URI base, String apiKey) {
        this(base, apiKey, null);
    }

    private WrennClient(URI base, String apiKey, String token) {
        this.base = base;
        this.apiKey = apiKey;
        this.token = token;
    }

    /** The same server with this API key (and no token). */
    public WrennClient withKey(String otherKey) {
        return new WrennClient(base, otherKey, null);
    }

    /** The same server with a person's token as {@code Authorization: Bearer} (and no API key). */
    public WrennClient withToken(String bearer) {
        return new WrennClient(base, null, bearer);
    }

    /**
     * Signs a person up (a new account and its own team) and returns a client with their token;
     * Fails loudly unless the API answers 201.
     */
    public Person signup(String email, String password, String name) {
        Response response = withKey(null).post("/v1/auth/signup", Map.of("email", email, "password", password, "name", name));
        if (response.status() != 201) {
            throw new AssertionError("signup " + email + " answered " + response);
        }
        JsonNode body = response.json();
        return new Person(withToken(body.get("token").asString()), body.get("user").get("id").asString(),
                body.get("team").get("id").asString(), email, password, name);
    }

    /** A signed-up person: a client with their token, their ids and their login. */
    public record Person(WrennClient client, String userId, String teamId, String email, String password, String name) {
    }

    public URI base() {
        return base;
    }

    /** Status, headers and raw body of one answer; {@link #json()} parses the body. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + (body.length > 2000 ? text().substring(0, 2000) + "…" : text());
        }
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    public Response post(String path, Object body) {
        return postRaw(path, JSON.writeValueAsString(body));
    }

    /** Sends the body exactly as given: for malformed-JSON tests. */
    public Response postRaw(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body)));
    }

    public Response patch(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /** Any method with a raw body of the given type (null type and body: none). */
    public Response send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder builder = request(path).method(method,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    public Response put(String path, byte[] body) {
        return send(request(path).header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofByteArray(body)));
    }

    /** Streams the body from the supplier: for uploads larger than a test should hold. */
    public Response put(String path, Supplier<InputStream> body) {
        BodyPublisher publisher = BodyPublishers.ofInputStream(body);
        return send(request(path).header("Content-Type", "application/octet-stream").PUT(publisher));
    }

    public Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<byte[]> response = http.send(builder.build(), BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(3));
        if (apiKey != null) {
            builder.header("X-API-Key", apiKey);
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    /** Creates a sandbox and fails loudly unless the API answers 201. */
    public JsonNode createSandbox(Map<String, ?> body) {
        Response response = post("/v1/sandboxes", body);
        if (response.status() != 201) {
            throw new AssertionError("create sandbox " + body + " answered " + response);
        }
        return response.json();
    }

    /** Runs a program in a sandbox and fails loudly unless the API answers 200. */
    public JsonNode exec(String sandboxId, Map<String, ?> body) {
        Response response = post("/v1/sandboxes/" + sandboxId + "/exec", body);
        if (response.status() != 200) {
            throw new AssertionError("exec " + body + " answered " + response);
        }
        return response.json();
    }

    public JsonNode exec(String sandboxId, String cmd, String... args) {
        return exec(sandboxId, Map.of("cmd", cmd, "args", List.of(args)));
    }
}
