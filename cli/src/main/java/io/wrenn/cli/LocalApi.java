package io.wrenn.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wrenn's REST API as the tools that drive a Wrenn of their own (bench, soak) call it: JSON in
 * and out with the bootstrap API key.
 */
final class LocalApi {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A status and a body, whatever the status. */
    record Answer(int status, String body) {
        boolean ok() {
            return status < 300;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String key;

    LocalApi(String base, String key) {
        this.base = base;
        this.key = key;
    }

    /** The answer's JSON (null when empty); a refusal is an exception naming the call. */
    JsonNode call(String method, String path, String body) throws IOException, InterruptedException {
        Answer answer = send(method, path, body);
        if (!answer.ok()) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.status() + " " + answer.body());
        }
        return parse(answer.body());
    }

    /** An answer's JSON; null when it is empty. */
    static JsonNode parse(String body) {
        return body.isEmpty() ? null : JSON.readTree(body);
    }

    Answer send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("X-API-Key", key).header("Content-Type", "application/json").timeout(Duration.ofMinutes(3))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
        var response = http.send(request, BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    static String json(Object value) {
        return JSON.writeValueAsString(value);
    }
}
