package io.wrenn.envd;

import io.wrenn.envd.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.wrenn.envd.EnvdClient.output;
import static org.assertj.core.api.Assertions.assertThat;

class InitTest {
    @RegisterExtension
    final EnvdFixture fixture = new EnvdFixture();
    private final EnvdClient client = fixture.client;

    private EnvdClient.Reply init(Object body) {
        return client.send(client.request("/init").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    }

    private String runSh(String script) {
        try (var stream = client.stream("process.Process/Start", Map.of("process", Map.of("cmd", "/bin/sh", "args", List.of("-c", script))))) {
            return output(stream.rest(), "stdout");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void healthIsNoContentAndNamesTheVersion() throws Exception {
        var response = client.http.send(client.request("/health").GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("X-Envd-Version")).contains(EnvdVersion.VERSION);
    }

    @Test
    void corsPreflightIsAnsweredEvenWithAToken() throws Exception {
        init(Map.of("accessToken", "t"));
        var response = client.http.send(client.request("/process.Process/List", "Access-Control-Request-Headers", "content-type,x-access-token")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers")).contains("content-type,x-access-token");
    }

    @Test
    void initEnvVarsApplyToLaterProcessesAndRequestEnvsWin() {
        assertThat(init(Map.of("envVars", Map.of("FROM_INIT", "yes", "OVERRIDE", "init"))).status()).isEqualTo(204);

        assertThat(runSh("echo $FROM_INIT $OVERRIDE")).isEqualTo("yes init\n");
        try (var stream = client.stream("process.Process/Start", Map.of("process", Map.of("cmd", "/bin/sh",
                "args", List.of("-c", "echo $OVERRIDE"), "envs", Map.of("OVERRIDE", "request"))))) {
            assertThat(output(stream.rest(), "stdout")).isEqualTo("request\n");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(Json.parse(client.send(client.request("/envs").GET().build()).body()))
                .isEqualTo(Map.of("FROM_INIT", "yes", "OVERRIDE", "init"));
    }

    @Test
    void initReplacesTheEnvironmentSoASnapshotsCreatorsVariablesAreGone() {
        assertThat(init(Map.of("envVars", Map.of("CREATOR_SECRET", "s3cret", "SHARED", "old"))).status()).isEqualTo(204);
        // What a sandbox restored from that guest's snapshot is told.
        assertThat(init(Map.of("envVars", Map.of("SHARED", "new"))).status()).isEqualTo(204);

        assertThat(runSh("echo \"[$CREATOR_SECRET] $SHARED\"")).isEqualTo("[] new\n");
        assertThat(Json.parse(client.send(client.request("/envs").GET().build()).body())).isEqualTo(Map.of("SHARED", "new"));
    }

    @Test
    void anInitWithoutEnvVarsKeepsTheEnvironment() {
        assertThat(init(Map.of("envVars", Map.of("KEPT", "yes"))).status()).isEqualTo(204);
        assertThat(init(Map.of("timestamp", Instant.now().toString())).status()).isEqualTo(204);

        assertThat(Json.parse(client.send(client.request("/envs").GET().build()).body())).isEqualTo(Map.of("KEPT", "yes"));
    }

    @Test
    void defaultUserAndWorkdirApply() {
        assertThat(init(Map.of("defaultUser", "nobody", "defaultWorkdir", "/tmp")).status()).isEqualTo(204);

        assertThat(runSh("id -un; pwd")).isEqualTo("nobody\n/tmp\n");
    }

    @Test
    void accessTokenIsRequiredOnceSet() {
        assertThat(init(Map.of("accessToken", "s3cret")).status()).isEqualTo(204);

        assertThat(client.unary("process.Process/List", Map.of()).status()).isEqualTo(401);
        assertThat(client.unary("process.Process/List", Map.of(), "X-Access-Token", "wrong").status()).isEqualTo(401);
        assertThat(client.send(client.request("/envs").GET().build()).status()).isEqualTo(401);
        assertThat(client.send(client.request("/health").GET().build()).status()).isEqualTo(204);
        assertThat(client.unary("process.Process/List", Map.of(), "X-Access-Token", "s3cret").status()).isEqualTo(200);
    }

    @Test
    void aSetTokenIsReplacedOnlyByItsHolderAndTheOldOneIsThenRefused() {
        assertThat(init(Map.of("accessToken", "old-token")).status()).isEqualTo(204);
        String replace = Json.write(Map.of("accessToken", "new-token"));

        assertThat(client.send(client.request("/init").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(replace)).build()).status()).as("no token").isEqualTo(401);
        assertThat(client.send(client.request("/init", "X-Access-Token", "old-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(replace)).build()).status()).isEqualTo(204);

        assertThat(client.unary("process.Process/List", Map.of(), "X-Access-Token", "old-token").status()).isEqualTo(401);
        assertThat(client.unary("process.Process/List", Map.of(), "X-Access-Token", "new-token").status()).isEqualTo(200);
    }

    @Test
    void clockMovesForwardOnlyWhenTheHostIsAhead() {
        Instant ahead = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        assertThat(init(Map.of("timestamp", ahead.toString())).status()).isEqualTo(204);
        assertThat(fixture.clockSets).containsExactly(ahead);

        assertThat(init(Map.of("timestamp", "2001-01-01T00:00:00Z")).status()).isEqualTo(204);
        assertThat(fixture.clockSets).containsExactly(ahead);
    }

    @Test
    void badInitBodyIsRejected() {
        assertThat(init("not an object").status()).isEqualTo(400);
        assertThat(init(Map.of("timestamp", "yesterday")).status()).isEqualTo(400);
    }

    @Test
    void entropyIsHandedToTheKernelPool() {
        byte[] seed = new byte[64];
        new java.util.Random(7).nextBytes(seed);

        assertThat(init(Map.of("entropy", java.util.Base64.getEncoder().encodeToString(seed))).status()).isEqualTo(204);

        assertThat(fixture.entropySeeds).singleElement().isEqualTo(seed);
    }

    @Test
    void entropyThatIsNotBase64IsRefusedAndNothingApplies() {
        assertThat(init(Map.of("entropy", "%%%", "envVars", Map.of("A", "b"))).status()).isEqualTo(400);

        assertThat(fixture.entropySeeds).isEmpty();
        assertThat(Json.parse(client.send(client.request("/envs").GET().build()).body())).isEqualTo(Map.of());
    }
}
