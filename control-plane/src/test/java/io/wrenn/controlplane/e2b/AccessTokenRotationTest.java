package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A sandbox's envd access token does not outlive its holder: a resume, the rotate route, and the
 * revocation of the key that fetched it replace it (in the guest, through the fake host agent,
 * and at the traffic proxy, which then refuses the old one and ends what it let in).
 */
class AccessTokenRotationTest {

    private static final String PRIVATE = "{\"templateID\":\"minimal\",\"network\":{\"allowPublicTraffic\":false}}";

    private TestControlPlane wrenn;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
    }

    @AfterEach
    void stop() {
        wrenn.close();
    }

    private static String create(Http http, String body) {
        Http.Response created = http.post("/e2b/sandboxes", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("sandboxID").stringValue();
    }

    private static String token(Http http, String sandbox) {
        Http.Response got = http.get("/e2b/sandboxes/" + sandbox);
        assertThat(got.status()).as(got.toString()).isEqualTo(200);
        return got.json().get("envdAccessToken").stringValue();
    }

    private HttpRequest.Builder envd(String sandbox, String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.controlPlane.port() + "/e2b/sandbox" + path))
                .header("E2b-Sandbox-Id", sandbox).header("E2b-Sandbox-Port", Integer.toString(TrafficProxy.ENVD_PORT))
                .header("X-Access-Token", token);
    }

    private int envdStatus(String sandbox, String token) throws Exception {
        return client.send(envd(sandbox, "/health", token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aResumeGivesTheGuestANewTokenAndANewTrafficToken() throws Exception {
        Http.Response created = wrenn.http.post("/e2b/sandboxes", PRIVATE);
        String sandbox = created.json().get("sandboxID").stringValue();
        String oldToken = created.json().get("envdAccessToken").stringValue();
        String oldTraffic = created.json().get("trafficAccessToken").stringValue();
        assertThat(wrenn.http.post("/e2b/sandboxes/" + sandbox + "/pause", "").status()).isEqualTo(204);

        assertThat(wrenn.http.post("/v1/sandboxes/" + sandbox + "/resume", "").status()).isEqualTo(200);

        // an E2B client reads the current tokens from a connect
        Http.Response connected = wrenn.http.post("/e2b/sandboxes/" + sandbox + "/connect", "{\"timeout\":1}");
        assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
        String newToken = connected.json().get("envdAccessToken").stringValue();
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(connected.json().get("trafficAccessToken").stringValue()).isNotEqualTo(oldTraffic)
                .isEqualTo(TrafficToken.of(newToken));
        assertThat(wrenn.agent.resumeCalls.getLast().getEnvdAccessToken()).isEqualTo(newToken);
        assertThat(wrenn.agent.guestTokens.get(wrenn.agent.resumeCalls.getLast().getSandboxId())).isEqualTo(newToken);
        assertThat(envdStatus(sandbox, oldToken)).isEqualTo(401);
        assertThat(envdStatus(sandbox, newToken)).isEqualTo(200);
    }

    @Test
    void anE2bConnectResumesWithTheTokenTheSdkHolds() throws Exception {
        Http.Response created = wrenn.http.post("/e2b/sandboxes", PRIVATE);
        String sandbox = created.json().get("sandboxID").stringValue();
        String token = created.json().get("envdAccessToken").stringValue();
        assertThat(wrenn.http.post("/e2b/sandboxes/" + sandbox + "/pause", "").status()).isEqualTo(204);

        Http.Response connected = wrenn.http.post("/e2b/sandboxes/" + sandbox + "/connect", "{\"timeout\":1}");

        assertThat(connected.status()).as(connected.toString()).isEqualTo(201);
        assertThat(connected.json().get("envdAccessToken").stringValue()).isEqualTo(token);
        assertThat(envdStatus(sandbox, token)).isEqualTo(200);
    }

    @Test
    void aResumeCausedByTrafficKeepsTheTokenItsCallerHolds() throws Exception {
        Http.Response created = wrenn.http.post("/e2b/sandboxes", "{\"templateID\":\"minimal\",\"autoPause\":true,"
                + "\"autoResume\":{\"enabled\":true}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String sandbox = created.json().get("sandboxID").stringValue();
        String token = created.json().get("envdAccessToken").stringValue();
        assertThat(wrenn.http.post("/e2b/sandboxes/" + sandbox + "/pause", "").status()).isEqualTo(204);

        assertThat(envdStatus(sandbox, token)).isEqualTo(200);

        assertThat(wrenn.agent.resumeCalls).hasSize(1);
        assertThat(wrenn.agent.resumeCalls.getFirst().getEnvdAccessToken()).isEqualTo(token);
        assertThat(token(wrenn.http, sandbox)).isEqualTo(token);
    }

    @Test
    void anOwnerRotatesARunningSandboxsTokenAndTheOldOneIsRefused() throws Exception {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        String sandbox = create(owner.http(), PRIVATE);
        String oldToken = token(owner.http(), sandbox);

        Http.Response rotated = owner.http().post("/v1/sandboxes/" + sandbox + "/access-token/rotate", "");

        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(204);
        String newToken = token(owner.http(), sandbox);
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(wrenn.agent.rotateCalls.getLast().getEnvdAccessToken()).isEqualTo(newToken);
        assertThat(envdStatus(sandbox, oldToken)).isEqualTo(401);
        assertThat(envdStatus(sandbox, newToken)).isEqualTo(200);
        // The traffic token follows the access token.
        HttpResponse<Void> oldTraffic = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + wrenn.controlPlane.port() + "/e2b/sandbox/")).header("E2b-Sandbox-Id", sandbox)
                .header("E2b-Sandbox-Port", "8000").header(TrafficToken.HEADER, TrafficToken.of(oldToken)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(oldTraffic.statusCode()).isEqualTo(401);
    }

    @Test
    void onlyARunningSandboxOfTheTeamIsRotatedAndOnlyByItsOwnersAndAdmins() {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        TestControlPlane.Person stranger = wrenn.signup("Stranger");
        String sandbox = create(owner.http(), PRIVATE);
        String path = "/v1/sandboxes/" + sandbox + "/access-token/rotate";

        assertThat(stranger.http().post(path, "").status()).isEqualTo(404);
        assertThat(wrenn.http.post(path, "").status()).as("another team's key").isEqualTo(404);
        String key = owner.http().post("/v1/api-keys", "{\"name\":\"ci\"}").json().get("key").stringValue();
        assertThat(wrenn.http.withKey(key).post(path, "").code()).as("a key acts as a member").isEqualTo("forbidden");
        assertThat(owner.http().post("/e2b/sandboxes/" + sandbox + "/pause", "").status()).isEqualTo(204);
        assertThat(owner.http().post(path, "").status()).isEqualTo(409);
        assertThat(wrenn.agent.rotateCalls).isEmpty();
    }

    @Test
    void revokingAKeyReplacesTheTokensItFetchedAndEndsWhatTheyOpened() throws Exception {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"laptop\"}");
        Http key = wrenn.http.withKey(created.json().get("key").stringValue());
        String fetched = create(key, PRIVATE);
        String oldToken = token(key, fetched);
        String untouched = create(owner.http(), PRIVATE);
        String untouchedToken = token(owner.http(), untouched);
        // A long stream opened with the token, and one with the key.
        HttpResponse<InputStream> byToken = client.send(envd(fetched, "/hold", oldToken).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> byKey = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + wrenn.controlPlane.port() + "/e2b/sandbox/hold")).header("E2b-Sandbox-Id", untouched)
                .header("E2b-Sandbox-Port", "8000").header("X-API-Key", created.json().get("key").stringValue()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(byToken.statusCode()).isEqualTo(200);
        assertThat(byKey.statusCode()).isEqualTo(200);

        assertThat(owner.http().delete("/v1/api-keys/" + created.json().get("id").stringValue()).status()).isEqualTo(204);

        assertThat(envdStatus(fetched, oldToken)).isEqualTo(401);
        String newToken = token(owner.http(), fetched);
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(wrenn.agent.guestTokens.values()).contains(newToken).doesNotContain(oldToken);
        assertThat(token(owner.http(), untouched)).as("a token the key never fetched").isEqualTo(untouchedToken);
        assertThat(endsWithin(byToken.body(), Duration.ofSeconds(10))).as("the stream opened with the old token").isTrue();
        assertThat(endsWithin(byKey.body(), Duration.ofSeconds(10))).as("the stream opened with the revoked key").isTrue();
    }

    @Test
    void aPausedSandboxsTokenIsReplacedAtOnceAndItsGuestGetsItAtTheResume() throws Exception {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"laptop\"}");
        Http key = wrenn.http.withKey(created.json().get("key").stringValue());
        String sandbox = create(key, "{\"templateID\":\"minimal\",\"autoPause\":true,\"autoResume\":{\"enabled\":true}}");
        String oldToken = token(key, sandbox);
        assertThat(key.post("/e2b/sandboxes/" + sandbox + "/pause", "").status()).isEqualTo(204);

        assertThat(owner.http().delete("/v1/api-keys/" + created.json().get("id").stringValue()).status()).isEqualTo(204);

        assertThat(envdStatus(sandbox, oldToken)).as("the old token cannot even wake it").isEqualTo(401);
        assertThat(wrenn.agent.resumeCalls).isEmpty();
        String newToken = token(owner.http(), sandbox);
        assertThat(envdStatus(sandbox, newToken)).isEqualTo(200);
        assertThat(wrenn.agent.resumeCalls.getLast().getEnvdAccessToken()).isEqualTo(newToken);
    }

    @Test
    void removingAMemberReplacesTheTokensTheyFetchedAndNoOthers() throws Exception {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        TestControlPlane.Person member = wrenn.signup("Member");
        Http asMember = TestControlPlane.join(owner.http(), owner.teamId(), member, "member");
        String fetched = create(owner.http(), PRIVATE);
        String untouched = create(owner.http(), PRIVATE);
        String oldToken = token(asMember, fetched);
        String untouchedToken = token(owner.http(), untouched);

        assertThat(owner.http().delete("/v1/teams/" + owner.teamId() + "/members/" + member.userId()).status())
                .isEqualTo(204);

        assertThat(envdStatus(fetched, oldToken)).as("the removed member's token").isEqualTo(401);
        String newToken = token(owner.http(), fetched);
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(envdStatus(fetched, newToken)).isEqualTo(200);
        assertThat(token(owner.http(), untouched)).as("a token the member never fetched").isEqualTo(untouchedToken);
    }

    @Test
    void disablingAPersonReplacesTheTokensTheyFetchedInEveryTeam() throws Exception {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        TestControlPlane.Person dave = wrenn.signup("Dave");
        Http daveInOwnersTeam = TestControlPlane.join(owner.http(), owner.teamId(), dave, "member");
        String inOwnersTeam = create(owner.http(), PRIVATE);
        String oldToken = token(daveInOwnersTeam, inOwnersTeam);
        Http.Response login = wrenn.http.withKey(null).post("/v1/auth/login", "{\"email\":\""
                + io.wrenn.controlplane.auth.Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}");
        Http admin = wrenn.http.withToken(login.json().get("token").stringValue());

        assertThat(admin.post("/v1/admin/users/" + dave.userId() + "/disable", "").status()).isEqualTo(204);

        assertThat(envdStatus(inOwnersTeam, oldToken)).as("the disabled person's token").isEqualTo(401);
        String newToken = token(owner.http(), inOwnersTeam);
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(envdStatus(inOwnersTeam, newToken)).isEqualTo(200);
    }

    @Test
    void aRevocationOrRotationHandledByAnotherControlPlaneEndsTheStreamsOpenedHere() throws Exception {
        TestControlPlane.Person owner = wrenn.signup("Owner");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"laptop\"}");
        String keyId = created.json().get("id").stringValue();
        String sandbox = create(owner.http(), PRIVATE);
        String token = token(owner.http(), sandbox);
        HttpResponse<InputStream> byToken = client.send(envd(sandbox, "/hold", token).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> byKey = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + wrenn.controlPlane.port() + "/e2b/sandbox/hold")).header("E2b-Sandbox-Id", sandbox)
                .header("E2b-Sandbox-Port", "8000").header("X-API-Key", created.json().get("key").stringValue()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(byToken.statusCode()).isEqualTo(200);
        assertThat(byKey.statusCode()).isEqualTo(200);
        assertThat(wrenn.controlPlane.trafficEnds().awaitListening(Duration.ofSeconds(30))).isTrue();

        // What another control plane on this database publishes when it revokes the key and rotates the token.
        try (io.wrenn.controlplane.db.Database db = io.wrenn.controlplane.db.Database.open(wrenn.jdbcUrl,
                io.wrenn.controlplane.testing.TestPostgres.user(), io.wrenn.controlplane.testing.TestPostgres.password());
             io.wrenn.controlplane.instance.TrafficEnds other = new io.wrenn.controlplane.instance.TrafficEnds(db.jdbi(),
                     db::dedicatedConnection)) {
            other.publish(io.wrenn.controlplane.instance.TrafficEnds.Kind.KEY_REVOKED,
                    io.wrenn.controlplane.ids.WireId.API_KEY.decode(keyId).orElseThrow());
            assertThat(endsWithin(byKey.body(), Duration.ofSeconds(10))).as("the stream opened with the key").isTrue();
            other.publish(io.wrenn.controlplane.instance.TrafficEnds.Kind.TOKEN_REPLACED,
                    io.wrenn.controlplane.ids.WireId.SANDBOX.decode(sandbox).orElseThrow());
            assertThat(endsWithin(byToken.body(), Duration.ofSeconds(10))).as("the stream opened with the token").isTrue();
        }
    }

    /** Whether the stream ends (or breaks) within {@code limit}, after what it sent first. */
    private static boolean endsWithin(InputStream stream, Duration limit) throws Exception {
        CompletableFuture<Boolean> ended = CompletableFuture.supplyAsync(() -> {
            try (stream) {
                while (stream.read() >= 0) {
                    // the first message, then nothing until it ends
                }
                return true;
            } catch (java.io.IOException e) {
                return true;
            }
        });
        try {
            return ended.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
