package io.wrenn.sdk.internal;

import io.wrenn.sdk.WrennException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Every HTTP exchange with the server: credentials, timeouts, retries of idempotent calls and
 * the mapping of error answers to {@link WrennException}s. Thread-safe (the JDK's client is).
 */
final class Transport implements AutoCloseable {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    private final HttpWrenn.Settings settings;
    private final HttpWrenn.Credential credential;
    private final HttpClient http;

    Transport(HttpWrenn.Settings settings, HttpWrenn.Credential credential) {
        this.settings = settings;
        this.credential = credential;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    }

    HttpClient http() {
        return http;
    }

    HttpWrenn.Settings settings() {
        return settings;
    }

    HttpWrenn.Credential credential() {
        return credential;
    }

    /** A request to {@code path} (with its query) carrying the credential. */
    HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.url() + path)).timeout(timeout);
        credential.apply(builder::header);
        return builder;
    }

    /** {@code path?name=value&…}, the values URL-encoded; null values left out. */
    static String path(String path, Map<String, ?> query) {
        StringJoiner joined = new StringJoiner("&", path + "?", "").setEmptyValue(path);
        query.forEach((name, value) -> {
            if (value != null) {
                joined.add(name + "=" + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
            }
        });
        return joined.toString();
    }

    /** One path segment, percent-encoded. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Sends a JSON body (or none) and reads a JSON answer (null for 204). */
    JsonNode json(String method, String path, JsonNode body, Duration timeout, boolean idempotent) {
        HttpRequest.Builder builder = request(path, timeout);
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        HttpResponse<byte[]> response = send(builder.build(), HttpResponse.BodyHandlers.ofByteArray(), idempotent);
        if (response.statusCode() >= 400) {
            throw error(response.statusCode(), response.body());
        }
        return response.statusCode() == 204 || response.body().length == 0 ? null : Json.read(response.body());
    }

    JsonNode get(String path) {
        return json("GET", path, null, settings.requestTimeout(), true);
    }

    JsonNode post(String path, JsonNode body) {
        return json("POST", path, body, settings.requestTimeout(), false);
    }

    void delete(String path) {
        json("DELETE", path, null, settings.requestTimeout(), true);
    }

    /** An answer whose body is streamed; an error answer is read and thrown. */
    HttpResponse<InputStream> stream(HttpRequest request, boolean idempotent) {
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream(), idempotent);
        if (response.statusCode() >= 400) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw error(response.statusCode(), body);
        }
        return response;
    }

    /**
     * Sends, retrying an idempotent request after a connection failure or a 502/503/504 with
     * growing pauses; the last failure is what the caller sees.
     */
    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, boolean idempotent) {
        int attempts = idempotent ? settings.maxRetries() + 1 : 1;
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<T> response = http.send(request, handler);
                int status = response.statusCode();
                if (attempt < attempts && (status == 502 || status == 503 || status == 504)) {
                    discard(response);
                } else {
                    return response;
                }
            } catch (HttpTimeoutException e) {
                throw new WrennException.TimeoutException(request.method() + " " + request.uri().getPath()
                        + ": no answer within " + request.timeout().map(Duration::toString).orElse("the timeout"), e);
            } catch (IOException e) {
                if (attempt >= attempts) {
                    throw new WrennException.ConnectionException(request.method() + " " + request.uri().getPath()
                            + ": " + e, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WrennException.ConnectionException("interrupted", e);
            }
            sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream) {
            try {
                ((InputStream) response.body()).close();
            } catch (IOException ignored) {
                // the answer is dropped anyway
            }
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WrennException.ConnectionException("interrupted", e);
        }
    }

    /** The exception for an error answer's {@code {code, message}} body (or for a body that is not one). */
    static WrennException error(int status, byte[] body) {
        try {
            JsonNode json = Json.read(body);
            String code = Json.text(json, "code");
            if (code != null) {
                return WrennException.of(status, code, Json.text(json, "message"));
            }
        } catch (JacksonException notJson) {
            // fall through: a proxy's page, or nothing
        }
        return WrennException.of(status, "http_" + status, "HTTP " + status);
    }

    @Override
    public void close() {
        // The JDK's client closes (AutoCloseable) only from Java 21; on 17 its connections are
        // released when it is no longer referenced.
        if (http instanceof AutoCloseable) {
            try {
                ((AutoCloseable) http).close();
            } catch (Exception ignored) {
                // closing is best effort
            }
        }
    }
}
