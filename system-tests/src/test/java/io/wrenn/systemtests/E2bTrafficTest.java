package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The E2B traffic route's access rules, against one real sandbox running a server that records
 * the headers it receives: the team's key or the sandbox's access token reaches it; another
 * team's key finds nothing (404); a wrong or missing token is refused (401); and nothing that
 * arrives carries the caller's API key, the access token (outside envd) or Wrenn's and E2B's
 * routing headers.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class E2bTrafficTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ECHO_PORT = "8000";
    private static final String DOMAIN = "sandboxes.wrenn.test";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private WrennFixture wrenn;
    private String key;
    private String sandbox;
    private String token;
    private String trafficToken;

    @BeforeAll
    void start() throws IOException {
        wrenn = WrennFixture.start(null, DOMAIN);
        key = wrenn.wrenn().apiKey();
        WrennClient.Response created = wrenn.client().post("/e2b/sandboxes", Map.of("templateID", "debian", "timeout", 600,
                "network", Map.of("allowPublicTraffic", false)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        sandbox = created.json().path("sandboxID").asString();
        token = created.json().path("envdAccessToken").asString();
        trafficToken = created.json().path("trafficAccessToken").asString();
        assertThat(trafficToken).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(token);
        assertThat(created.json().path("domain").asString()).isEqualTo(DOMAIN);
        assertThat(token).hasSizeGreaterThanOrEqualTo(32);

        try (InputStream script = getClass().getResourceAsStream("/e2b/header-echo.py")) {
            WrennClient.Response put = wrenn.client().put("/v1/sandboxes/" + sandbox + "/files?path=/tmp/echo.py", script.readAllBytes());
            assertThat(put.status()).as(put.toString()).isBetween(200, 204);
        }
        wrenn.client().exec(sandbox, "/bin/sh", "-c", "setsid python3 /tmp/echo.py </dev/null >/dev/null 2>&1 &");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> send(traffic("/ready", ECHO_PORT).header("X-API-Key", key)).statusCode() == 200);
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void theTeamsKeyReachesAPortAndIsNotForwarded() {
        HttpResponse<String> response = send(traffic("/by-key?x=1", ECHO_PORT).header("X-API-Key", key)
                .header("X-Custom", "kept").header("Wrenn-Sandbox-Port", "49983").header("Wrenn-Agent-Secret", "guess"));
        assertThat(response.statusCode()).isEqualTo(200);
        String seen = response.body().toLowerCase(Locale.ROOT);
        assertThat(seen).contains("x-custom").doesNotContain("x-api-key").doesNotContain(key.toLowerCase(Locale.ROOT))
                .doesNotContain("wrenn-").doesNotContain("e2b-sandbox").doesNotContain("x-access-token");
    }

    @Test
    void theAccessTokenReachesAPortAndIsNotForwardedThere() {
        HttpResponse<String> response = send(traffic("/by-token", ECHO_PORT).header("X-Access-Token", token));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().toLowerCase(Locale.ROOT)).doesNotContain("x-access-token").doesNotContain(token.toLowerCase(Locale.ROOT));
    }

    @Test
    void theTrafficPathsOwnFailuresAreMarkedAndTheUsersServersAreNot() {
        HttpResponse<String> closed = send(traffic("/", "8001").header("X-API-Key", key));
        assertThat(closed.statusCode()).isEqualTo(502);
        assertThat(closed.headers().firstValue("Wrenn-Traffic-Error")).hasValue("port_not_open");
        assertThat(json(closed).path("code").asInt()).isEqualTo(502);
        assertThat(json(closed).path("message").asString()).contains("8001");

        HttpResponse<String> users = send(traffic("/fail", ECHO_PORT).header("X-API-Key", key));
        assertThat(users.statusCode()).isEqualTo(502);
        assertThat(users.body()).isEqualTo("the user's server failed");
        assertThat(users.headers().firstValue("Wrenn-Traffic-Error")).as("a sandbox cannot forge the marker").isEmpty();

        HttpResponse<String> refused = send(traffic("/", ECHO_PORT).header("X-Access-Token", token + "x"));
        assertThat(refused.headers().firstValue("Wrenn-Traffic-Error")).hasValue("unauthorized");
    }

    @Test
    void theTrafficTokenReachesAPrivatePortAndIsNotForwarded() {
        HttpResponse<String> response = send(traffic("/by-traffic-token", ECHO_PORT).header("e2b-traffic-access-token", trafficToken));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain(trafficToken);
        assertThat(send(traffic("/", ECHO_PORT).header("e2b-traffic-access-token", trafficToken + "x")).statusCode()).isEqualTo(401);
        assertThat(send(traffic("/health", "49983").header("e2b-traffic-access-token", trafficToken)).statusCode())
                .as("the traffic token is not envd's").isEqualTo(401);
    }

    @Test
    void aPublicSandboxsPortsAnswerWithoutCredentialsByHostNameAndHeaders() throws IOException {
        assertThat(rawGet(ECHO_PORT + "-" + sandbox + "." + DOMAIN, "/by-host")).startsWith("HTTP/1.1 401");
        WrennClient.Response open = wrenn.client().put("/v1/sandboxes/" + sandbox + "/network",
                "{\"allow_public_traffic\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(open.status()).as(open.toString()).isEqualTo(200);
        try {
            String byHost = rawGet(ECHO_PORT + "-" + sandbox + "." + DOMAIN + ":" + wrenn.apiPort(), "/by-host?q=1");
            assertThat(byHost).startsWith("HTTP/1.1 200");
            assertThat(send(traffic("/by-header", ECHO_PORT)).statusCode()).isEqualTo(200);
            assertThat(rawGet("49983-" + sandbox + "." + DOMAIN, "/files?path=/tmp/echo.py"))
                    .as("envd still needs its token").startsWith("HTTP/1.1 401");
            assertThat(rawGet(ECHO_PORT + "-sb-0000000000000000000000000." + DOMAIN, "/")).startsWith("HTTP/1.1 401");
        } finally {
            wrenn.client().put("/v1/sandboxes/" + sandbox + "/network",
                    "{\"allow_public_traffic\":false}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** A GET with a Host header of our choosing (the JDK client will not set one), answered whole. */
    private String rawGet(String host, String path) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", wrenn.apiPort())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * A token fetched with a key does not outlive the key: once it is revoked the sandbox has a
     * new token (its guest took it: a key caller, who gets the current one put in, still reaches
     * envd), and the old token and its traffic token are refused through the proxy.
     */
    @Test
    void aTokenFetchedWithARevokedKeyNoLongerWorks() {
        WrennClient.Response login = wrenn.client().withKey(null).post("/v1/auth/login",
                Map.of("email", wrenn.wrenn().adminEmail(), "password", wrenn.wrenn().adminPassword()));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        WrennClient owner = wrenn.client().withToken(login.json().path("token").asString());
        WrennClient.Response made = owner.post("/v1/api-keys", Map.of("name", "laptop to revoke"));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        WrennClient laptop = wrenn.client().withKey(made.json().path("key").asString());
        String fetched = laptop.get("/e2b/sandboxes/" + sandbox).json().path("envdAccessToken").asString();
        String fetchedTraffic = trafficToken;
        assertThat(fetched).isEqualTo(token);
        assertThat(send(traffic("/files?path=/tmp/echo.py", "49983").header("X-Access-Token", fetched)).statusCode()).isEqualTo(200);

        assertThat(owner.delete("/v1/api-keys/" + made.json().path("id").asString()).status()).isEqualTo(204);

        // Other tests of this class use the sandbox's current tokens.
        JsonNode now = wrenn.client().get("/e2b/sandboxes/" + sandbox).json();
        token = now.path("envdAccessToken").asString();
        trafficToken = wrenn.client().post("/e2b/sandboxes/" + sandbox + "/connect", Map.of("timeout", 600)).json()
                .path("trafficAccessToken").asString();
        assertThat(token).isNotEqualTo(fetched);
        assertThat(send(traffic("/files?path=/tmp/echo.py", "49983").header("X-Access-Token", fetched)).statusCode()).isEqualTo(401);
        assertThat(send(traffic("/", ECHO_PORT).header("e2b-traffic-access-token", fetchedTraffic)).statusCode()).isEqualTo(401);
        assertThat(send(traffic("/files?path=/tmp/echo.py", "49983").header("X-API-Key", key)).statusCode()).isEqualTo(200);
        assertThat(send(traffic("/files?path=/tmp/echo.py", "49983").header("X-Access-Token", token)).statusCode()).isEqualTo(200);
        assertThat(send(traffic("/", ECHO_PORT).header("e2b-traffic-access-token", trafficToken)).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherTeamsKeyFindsNothing() {
        String otherKey = wrenn.createTeamWithKey("other team");
        HttpResponse<String> response = send(traffic("/", ECHO_PORT).header("X-API-Key", otherKey));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("code").asInt()).isEqualTo(404);
        HttpResponse<String> envd = send(traffic("/health", "49983").header("X-API-Key", otherKey));
        assertThat(envd.statusCode()).isEqualTo(404);
    }

    @Test
    void aWrongOrMissingAccessTokenIsRefused() {
        assertThat(send(traffic("/", ECHO_PORT).header("X-Access-Token", token + "x")).statusCode()).isEqualTo(401);
        assertThat(send(traffic("/", ECHO_PORT)).statusCode()).isEqualTo(401);
        assertThat(send(traffic("/files?path=/tmp/echo.py", "49983").header("X-Access-Token", "not-the-token")).statusCode()).isEqualTo(401);
        // A made-up sandbox answers exactly as a wrong token does: ids cannot be probed.
        HttpRequest.Builder unknown = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox/"))
                .header("E2b-Sandbox-Id", "sb-doesnotexist").header("E2b-Sandbox-Port", ECHO_PORT).header("X-Access-Token", token);
        assertThat(send(unknown).statusCode()).isEqualTo(401);
    }

    @Test
    void envdAcceptsTheTokenAndAKeyCallerGetsItPutIn() {
        HttpResponse<String> byToken = send(traffic("/files?path=/tmp/echo.py", "49983").header("X-Access-Token", token));
        assertThat(byToken.statusCode()).isEqualTo(200);
        assertThat(byToken.body()).contains("seen-headers.log");
        HttpResponse<String> byKey = send(traffic("/files?path=/tmp/echo.py", "49983").header("X-API-Key", key));
        assertThat(byKey.statusCode()).isEqualTo(200);
        assertThat(byKey.body()).isEqualTo(byToken.body());
    }

    @Test
    void noRequestThatReachedTheSandboxCarriedTheKey() {
        send(traffic("/posted", ECHO_PORT).header("X-API-Key", key).POST(HttpRequest.BodyPublishers.ofString("body")));
        JsonNode log = wrenn.client().exec(sandbox, "/bin/cat", "/tmp/seen-headers.log");
        String seen = log.path("stdout").asString().toLowerCase(Locale.ROOT);
        assertThat(seen).contains("content-length");
        assertThat(seen).doesNotContain(key.toLowerCase(Locale.ROOT)).doesNotContain("x-api-key").doesNotContain("wrenn-");
    }

    @Test
    void anotherTeamsKeyFindsNoSandboxThroughTheRestFacade() {
        WrennClient other = wrenn.client().withKey(wrenn.createTeamWithKey("rest facade outsider"));
        String path = "/e2b/sandboxes/" + sandbox;
        for (WrennClient.Response response : java.util.List.of(
                other.get(path),
                other.get(path + "/metrics"),
                other.post(path + "/timeout", Map.of("timeout", 60)),
                other.post(path + "/refreshes", Map.of("duration", 60)),
                other.post(path + "/connect", Map.of("timeout", 60)),
                other.post("/e2b/v2/sandboxes/" + sandbox + "/connect", Map.of("timeout", 60)),
                other.post(path + "/pause", Map.of()),
                other.post(path + "/resume", Map.of()),
                other.delete(path))) {
            assertThat(response.status()).as(response.toString()).isEqualTo(404);
            assertThat(response.json().path("code").asInt()).as(response.toString()).isEqualTo(404);
        }
        assertThat(other.get("/e2b/v2/sandboxes").json().isEmpty()).isTrue();
        assertThat(wrenn.client().get(path).json().path("state").asString()).isEqualTo("running");
    }

    @Test
    void badCreateBodiesAre400InE2bsShapeAndCreateNothing() {
        for (Map<String, ?> body : java.util.List.of(
                Map.of("templateID", "debian", "allow_internet_access", "yes"),
                Map.of("templateID", "debian", "unknown", 1),
                Map.of("templateID", "../etc"),
                Map.of("templateID", "debian", "timeout", -5),
                Map.of("templateID", "debian", "network", Map.of("denyOut", java.util.List.of("10.0.0.0/33"))),
                Map.of("templateID", "debian", "network", Map.of("egressProxy", Map.of("address", "proxy:1080"))),
                Map.of("templateID", "debian", "autoResume", Map.of("enabled", true)),
                Map.of("timeout", 30))) {
            WrennClient.Response response = wrenn.client().post("/e2b/v2/sandboxes", body);
            assertThat(response.status()).as(body + " " + response).isEqualTo(400);
            assertThat(response.json().path("code").asInt()).isEqualTo(400);
            assertThat(response.json().path("message").asString()).isNotBlank();
        }
        WrennClient.Response anonymous = wrenn.client().withKey(null).post("/e2b/sandboxes", Map.of("templateID", "debian"));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("code").asInt()).isEqualTo(401);
        assertThat(wrenn.runningVmCount()).isEqualTo(1);
    }

    @Test
    void badRoutingHeadersAre400() {
        HttpRequest.Builder noPort = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox/"))
                .header("E2b-Sandbox-Id", sandbox).header("X-API-Key", key);
        assertThat(send(noPort).statusCode()).isEqualTo(400);
        assertThat(send(traffic("/", "70000").header("X-API-Key", key)).statusCode()).isEqualTo(400);
    }

    private HttpRequest.Builder traffic(String path, String port) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.apiPort() + "/e2b/sandbox" + path))
                .timeout(Duration.ofSeconds(30))
                .header("E2b-Sandbox-Id", sandbox)
                .header("E2b-Sandbox-Port", port);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }
}
