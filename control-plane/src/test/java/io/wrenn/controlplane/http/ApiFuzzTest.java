package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import io.wrenn.fuzz.JsonText;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Random bodies, query strings and headers sent to a handful of representative routes of a real
 * control plane (on a fake host agent): every answer is a 2xx, or a 4xx with a JSON
 * {@code {code, message}} body (E2B's shape, the status as a number, under {@code /e2b/});
 * never a 5xx, whatever arrives. Tries are few: each is a real HTTP request.
 */
class ApiFuzzTest {

    private static TestControlPlane wrenn;
    private static Http http;
    /** A running sandbox, for the file routes. */
    private static String sandbox;

    @BeforeAll
    static void start() {
        wrenn = new TestControlPlane();
        http = wrenn.http;
        Http.Response created = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        sandbox = created.json().get("id").stringValue();
        http.put("/v1/sandboxes/" + sandbox + "/files?path=/home/user/f.txt", "0123456789".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        wrenn.close();
    }

    @Test
    void sandboxCreateBodies() {
        Gen<String> bodies = JsonText.body(List.of("template", "vcpus", "memory_mb", "disk_size_mb", "timeout_s", "env",
                "metadata", "on_timeout", "network"));
        Fuzz.check(200, bodies, body -> assertRefusedInShape(http.post("/v1/sandboxes", body), false));
    }

    @Test
    void e2bCreateBodies() {
        Gen<String> bodies = JsonText.body(List.of("templateID", "timeout", "metadata", "envVars", "secure", "autoPause",
                "autoPauseMemory", "autoResume", "allow_internet_access", "network"));
        Fuzz.check(200, bodies, body -> assertRefusedInShape(http.post("/e2b/sandboxes", body), true));
    }

    @Test
    void buildBodies() {
        Gen<String> recipes = Gen.oneOf(HostileText.any(),
                HostileText.any().map(tail -> "FROM minimal\n# " + tail + "\nRUN true"),
                HostileText.any().map(tail -> "FROM minimal\nRUN " + tail));
        Gen<String> bodies = Gen.oneOf(JsonText.body(List.of("name", "recipe", "archive", "vcpus", "memory_mb")),
                recipes.map(recipe -> "{\"name\":\"fz\",\"recipe\":" + JsonText.quote(recipe) + "}"));
        Fuzz.check(100, bodies, body -> assertRefusedInShape(http.post("/v1/builds", body), false));
    }

    @Test
    void listQueries() {
        Gen<String> value = queryValue();
        Gen<String> paths = Gen.oneOf(
                random -> "/v1/sandboxes?status=" + value.next(random) + "&limit=" + value.next(random)
                        + "&cursor=" + value.next(random),
                random -> "/e2b/v2/sandboxes?state=" + value.next(random) + "&metadata=" + value.next(random)
                        + "&limit=" + value.next(random) + "&nextToken=" + value.next(random),
                value.map(cursor -> "/v1/snapshots?cursor=" + cursor),
                value.map(cursor -> "/v1/builds?cursor=" + cursor),
                value.map(cursor -> "/v1/api-keys?cursor=" + cursor));
        Fuzz.check(200, paths, path -> assertRefusedInShape(http.get(path), path.startsWith("/e2b/")));
    }

    @Test
    void fileQueriesAndRanges() {
        Gen<String> value = queryValue();
        String base = "/v1/sandboxes/" + sandbox;
        Gen<String> paths = Gen.oneOf(
                value.map(path -> base + "/files?path=" + path),
                Gen.combine(value, value, (path, user) -> base + "/files?path=" + path + "&user=" + user),
                Gen.combine(value, value, (path, depth) -> base + "/files/list?path=" + path + "&depth=" + depth),
                value.map(path -> base + "/files/stat?path=" + path),
                Gen.constant(base + "/files?path=/home/user/f.txt"),
                HostileText.tricks().map(id -> "/v1/sandboxes/" + encode(id) + "/files?path=/x"));
        Gen<String> number = Gen.oneOf(Gen.longs().map(String::valueOf), Gen.ints(0, 20).map(String::valueOf), Gen.constant(""));
        Gen<String> ranges = Gen.oneOf(Gen.constant(null),
                Gen.combine(number, number, (a, b) -> "bytes=" + a + "-" + b),
                // HTTP headers hold visible ASCII and blanks only: the client refuses anything else.
                Gen.strings(' ', '~', 0, 40));
        Fuzz.check(200, paths, ranges, (path, range) -> {
            Http.Response response = range == null ? http.get(path) : http.withHeader("Range", range).get(path);
            assertRefusedInShape(response, false);
        });
    }

    @Test
    void multipartUploads() {
        Gen<String> boundaries = Gen.oneOf(Gen.alphanumeric(1, 70), Gen.strings('!', '~', 0, 300), Gen.constant("\"\""));
        Gen<String> part = Gen.combine(HostileText.tricks(), HostileText.any(),
                (name, content) -> "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n");
        Gen<byte[]> bodies = Gen.oneOf(Gen.bytes(512),
                part.list(3).map(parts -> (String.join("", parts) + "--B--\r\n").getBytes(StandardCharsets.UTF_8)),
                part.map(text -> text.getBytes(StandardCharsets.UTF_8)));
        Fuzz.check(100, boundaries, bodies, (boundary, body) -> {
            // A client of its own: the server closes the connection after a body it could not parse, and a
            // pooled connection reused just then fails on the client's side (a POST is not retried).
            Http fresh = new Http(wrenn.controlPlane.port(), wrenn.apiKey);
            Http.Response response = fresh.send("POST", "/v1/sandboxes/" + sandbox + "/files?path=/home/user",
                    "multipart/form-data; boundary=" + boundary, body);
            assertRefusedInShape(response, false);
        });
    }

    @Test
    void pathBodies() {
        Fuzz.check(100, JsonText.body(List.of("path", "source", "destination", "user")), Gen.booleans(), (body, move) ->
                assertRefusedInShape(http.post("/v1/sandboxes/" + sandbox + "/files/" + (move ? "move" : "mkdir"), body), false));
    }

    // Inputs the fuzzing found answered with a 500, kept as plain regressions.

    @Test
    void aMalformedMultipartBodyIs400() {
        Http.Response response = new Http(wrenn.controlPlane.port(), wrenn.apiKey).send("POST",
                "/v1/sandboxes/" + sandbox + "/files?path=/home/user", "multipart/form-data; boundary=A", new byte[0]);
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
    }

    @Test
    void aRecipeWithNulInACommentIs400() {
        Http.Response response = http.post("/v1/builds", "{\"name\":\"fz\",\"recipe\":\"FROM minimal\\n# \\u0000\\nRUN true\"}");
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
    }

    @Test
    void metadataWithNulIs400() {
        Http.Response response = http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"metadata\":{\"k\":\"a\\u0000\"}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        Http.Response e2b = http.get("/e2b/v2/sandboxes?metadata=k%3Da%252500");
        assertThat(e2b.status()).as(e2b.toString()).isEqualTo(400);
    }

    @Test
    void aForgedCursorWithNulIs400() {
        String forged = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("snap:" + UUID.randomUUID() + ":a\0").getBytes(StandardCharsets.UTF_8));
        Http.Response response = http.get("/v1/snapshots?cursor=" + forged);
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
    }

    /** A 2xx, or a 4xx whose body is the API's error shape; a 5xx fails whatever its body. */
    private static void assertRefusedInShape(Http.Response response, boolean e2b) {
        assertThat(response.status()).as(response.toString()).isBetween(200, 499);
        if (response.status() < 400) {
            return;
        }
        assertThat(response.contentType()).as(response.toString()).startsWith("application/json");
        JsonNode json = response.json();
        // A request too long to parse (414, 431) may be refused before its path is known; it then
        // gets Wrenn's shape even under /e2b/ (JsonErrorPages.badMessageError).
        boolean maybeRefusedBeforeParsing = response.status() == 414 || response.status() == 431;
        if (e2b && (json.get("code").isInt() || !maybeRefusedBeforeParsing)) {
            assertThat(json.get("code").isInt()).as(response.toString()).isTrue();
            assertThat(json.get("code").intValue()).isEqualTo(response.status());
        } else {
            assertThat(json.get("code").isString()).as(response.toString()).isTrue();
        }
        assertThat(json.get("message").isString()).as(response.toString()).isTrue();
        assertThat(json.get("message").stringValue()).isNotBlank();
    }

    /** A query value: hostile text URL-encoded, or a cursor-like base64url of hostile text. */
    private static Gen<String> queryValue() {
        Gen<String> plain = Gen.oneOf(HostileText.any(), HostileText.tricks(),
                Gen.of("", "all", "running", "paused", "1", "0", "-1", "100", "1001", "99999999999"));
        Gen<String> tag = Gen.of("sb", "e2b", "snap", "builds", "key");
        Gen<String> cursorLike = Gen.oneOf(HostileText.any(),
                Gen.combine(tag, HostileText.tricks(), (t, rest) -> t + ":" + rest),
                random -> tag.next(random) + ":" + Gen.uuids().next(random) + ":" + HostileText.tricks().next(random))
                .map(text -> Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
        // Raw tricks keep their own percent escapes (%2e%2e, %00): the server decodes them.
        Gen<String> escaped = HostileText.tricks().map(text -> encode(text).replace("%25", "%")).filter(ApiFuzzTest::validInUri);
        return Gen.oneOf(plain.map(ApiFuzzTest::encode), cursorLike, escaped);
    }

    private static boolean validInUri(String query) {
        try {
            URI.create("http://x/?q=" + query);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
