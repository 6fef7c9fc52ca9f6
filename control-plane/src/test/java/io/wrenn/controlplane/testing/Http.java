package io.wrenn.controlplane.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small JSON-over-HTTP client for the tests. It sends one credential (an API key or a
 * person's token) and may send from another loopback address (127.0.0.0/8 is all ours).
 */
public final class Http {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client;
    private final int port;
    private final String apiKey;
    private final String token;
    private final String localAddress;
    private final Map<String, String> headers;

    public Http(int port, String apiKey) {
        this(port, apiKey, null, null, Map.of());
    }

    private Http(int port, String apiKey, String token, String localAddress, Map<String, String> headers) {
        this.port = port;
        this.apiKey = apiKey;
        this.token = token;
        this.localAddress = localAddress;
        this.headers = headers;
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (localAddress != null) {
            builder.localAddress(InetAddress.ofLiteral(localAddress));
        }
        this.client = builder.build();
    }

    /** The same client with this API key and no token. */
    public Http withKey(String key) {
        return new Http(port, key, null, localAddress, headers);
    }

    /** The same client with this person's token and no API key. */
    public Http withToken(String bearer) {
        return new Http(port, null, bearer, localAddress, headers);
    }

    /** The same client sending from {@code address} (e.g. 127.0.0.2). */
    public Http from(String address) {
        return new Http(port, apiKey, token, address, headers);
    }

    public Http withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Http(port, apiKey, token, localAddress, more);
    }

    public Response get(String path) {
        return send(builder(path).GET());
    }

    public Response delete(String path) {
        return send(builder(path).DELETE());
    }

    public Response post(String path, String json) {
        return send(builder(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response patch(String path, String json) {
        return send(builder(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String path, byte[] body) {
        return send(builder(path).header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Response send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder builder = builder(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    public Response send(String method, String path, HttpRequest.BodyPublisher body) {
        return send(builder(path).method(method, body));
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (apiKey != null) {
            builder.header("X-API-Key", apiKey);
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        headers.forEach(builder::header);
        return builder;
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.body(), response.headers().firstValue("content-type").orElse(""),
                    response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, byte[] body, String contentType, Map<String, java.util.List<String>> headers) {

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String code() {
            return json().get("code").stringValue();
        }

        public String header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), java.util.List.of()).stream().findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }
}
