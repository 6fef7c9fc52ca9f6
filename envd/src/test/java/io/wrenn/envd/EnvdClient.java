package io.wrenn.envd;

import io.wrenn.envd.connect.Envelope;
import io.wrenn.envd.json.Json;
import io.wrenn.envd.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Talks to envd exactly as a client does: Connect JSON for RPCs (envelopes for streams), plain HTTP for the rest. */
final class EnvdClient {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final String base;
    final Map<String, String> headers = new LinkedHashMap<>();

    EnvdClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    record Reply(int status, String body) {
        JsonObject json() {
            return Json.parseObject(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    HttpRequest.Builder request(String path, String... extraHeaders) {
        var builder = HttpRequest.newBuilder(URI.create(base + path));
        headers.forEach(builder::header);
        for (int i = 0; i < extraHeaders.length; i += 2) {
            builder.setHeader(extraHeaders[i], extraHeaders[i + 1]);
        }
        return builder;
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    Reply unary(String method, Object body, String... extraHeaders) {
        return send(request("/" + method, extraHeaders)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    }

    /** Opens a server stream; messages are read one by one as they arrive. */
    Stream stream(String method, Object body, String... extraHeaders) {
        byte[] payload = Json.writeBytes(body);
        var framed = new java.io.ByteArrayOutputStream();
        try {
            new Envelope(0, payload).writeTo(framed);
            HttpResponse<InputStream> response = http.send(request("/" + method, extraHeaders)
                    .header("Content-Type", "application/connect+json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(framed.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("stream status " + response.statusCode());
            }
            return new Stream(response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Stream implements AutoCloseable {
        private final InputStream in;
        private JsonObject end;

        Stream(InputStream in) {
            this.in = in;
        }

        /** The next message, or empty after the end-of-stream envelope. */
        Optional<JsonObject> next() {
            if (end != null) {
                return Optional.empty();
            }
            try {
                Envelope envelope = Envelope.read(in);
                if (envelope == null) {
                    throw new IllegalStateException("stream ended without an end-of-stream envelope");
                }
                JsonObject message = Json.parseObject(envelope.payload());
                if (envelope.isEndStream()) {
                    end = message;
                    return Optional.empty();
                }
                return Optional.of(message);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The process event inside a message, e.g. {"data":{...}}. */
        Optional<JsonObject> nextEvent() {
            return next().map(m -> m.object("event").orElseThrow());
        }

        /** Reads everything left; returns the events. */
        List<JsonObject> rest() {
            var events = new ArrayList<JsonObject>();
            Optional<JsonObject> e;
            while ((e = nextEvent()).isPresent()) {
                events.add(e.get());
            }
            return events;
        }

        /** The end-of-stream error, if any (after the stream was read to its end). */
        Optional<JsonObject> error() {
            if (end == null) {
                throw new IllegalStateException("stream not finished");
            }
            return end.object("error");
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Concatenated output of one kind ("stdout", "stderr") in a list of events. */
    static String output(List<JsonObject> events, String kind) {
        var out = new java.io.ByteArrayOutputStream();
        for (JsonObject event : events) {
            event.object("data").flatMap(d -> d.bytes(kind)).ifPresent(out::writeBytes);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static JsonObject endOf(List<JsonObject> events) {
        return events.getLast().object("end").orElseThrow(() -> new AssertionError("last event is not end: " + events.getLast()));
    }

    static String basicAuth(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
    }
}
