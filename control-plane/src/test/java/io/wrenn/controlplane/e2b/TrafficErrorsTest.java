package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The traffic route's own failures are Wrenn's error codes in E2B's shape and carry the
 * {@code Wrenn-Traffic-Error} marker; a sandbox server's own failure passes unchanged and unmarked.
 * Against a fake agent whose traffic listener answers as the real one does (the real path:
 * system-tests E2bTrafficTest).
 */
class TrafficErrorsTest {

    private TestControlPlane wrenn;
    private String sandbox;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
        Http.Response created = wrenn.http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        sandbox = created.json().get("sandboxID").stringValue();
    }

    @AfterEach
    void stop() {
        wrenn.close();
    }

    private HttpResponse<String> traffic(String path, int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.controlPlane.port() + "/e2b/sandbox" + path))
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", Integer.toString(port))
                .header("X-API-Key", wrenn.apiKey).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void nothingOnThePortIsAMarkedPortNotOpenInE2bsShape() throws Exception {
        wrenn.agent.closedPorts.add(8001);

        HttpResponse<String> response = traffic("/", 8001);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue(TrafficHeaders.ERROR)).hasValue("port_not_open");
        assertThat(response.body()).contains("\"code\":502").contains("8001");
    }

    @Test
    void theControlPlanesCookiesAndCredentialsNeverReachTheSandboxNorItsCookiesTheControlPlanesOrigin() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + wrenn.controlPlane.port() + "/e2b/sandbox/cookies"))
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", "8000")
                .header("X-API-Key", wrenn.apiKey)
                .header("Cookie", "wrenn_session=secret")
                .header("Authorization", "Bearer control-plane-token")
                .header("X-Kept", "yes").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(wrenn.agent.lastTrafficHeaders.getFirst("X-Kept")).isEqualTo("yes");
        assertThat(wrenn.agent.lastTrafficHeaders.containsKey("Cookie")).isFalse();
        assertThat(wrenn.agent.lastTrafficHeaders.containsKey("Authorization")).isFalse();
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("set-cookie")
                || name.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
    }

    @Test
    void theSandboxServersOwnFailurePassesUnmarked() throws Exception {
        HttpResponse<String> failed = traffic("/fail", 8000);
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.body()).isEqualTo("the user's server failed");
        assertThat(failed.headers().firstValue(TrafficHeaders.ERROR)).isEmpty();

        assertThat(traffic("/", 8000).body()).isEqualTo("from the sandbox");
    }

    @Test
    void aRefusalOfTheRouteItselfIsMarkedToo() throws Exception {
        // envd's port: a user's own port answers without credentials while public traffic is allowed.
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + wrenn.controlPlane.port() + "/e2b/sandbox/"))
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", String.valueOf(TrafficProxy.ENVD_PORT))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue(TrafficHeaders.ERROR)).hasValue("unauthorized");
    }

    /**
     * A signed /files URL names no sandbox: the sandbox whose token made the signature gets it.
     * Signed with the guest agent's own function: the control plane's signer must agree with it.
     */
    @Test
    void aSignedFileUrlAtTheRootReachesTheSandboxThatSignedIt() throws Exception {
        String token = wrenn.http.get("/e2b/sandboxes/" + sandbox).json().get("envdAccessToken").stringValue();
        String path = "/home/user/a.txt";
        // Encoded as the SDKs encode it: a '+' of the base64 signature would otherwise arrive as a space.
        String signature = java.net.URLEncoder.encode(io.wrenn.envd.files.SignedUrls.sign(path, "read", "", token, java.util.Optional.empty()),
                java.nio.charset.StandardCharsets.UTF_8);
        String base = "http://127.0.0.1:" + wrenn.controlPlane.port() + "/files?path=" + path;

        HttpResponse<String> signed = client.send(HttpRequest.newBuilder(URI.create(base + "&signature=" + signature)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).isEqualTo("from the sandbox");

        // Signed for reading, used for writing; a signature of no sandbox; none at all.
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "&signature=" + signature))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "&signature=v1_AAAA")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }
}
