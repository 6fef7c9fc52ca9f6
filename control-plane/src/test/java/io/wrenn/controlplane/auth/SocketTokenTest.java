package io.wrenn.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A socket token stands for its caller only while that caller may still act for the team. */
class SocketTokenTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    static String token(Http http, String sandbox) {
        Http.Response issued = http.post("/v1/sandboxes/" + sandbox + "/ws-token", "");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        return issued.json().get("url_path").stringValue();
    }

    /** The handshake's HTTP status: 101 when the socket opens. */
    static int open(String urlPath) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + wrenn.controlPlane.port() + urlPath);
        try {
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(uri, new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
            socket.abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }

    @Test
    void aRemovedMembersSocketTokenNoLongerOpensTheSocket() throws Exception {
        Person owner = wrenn.signup("Owner");
        Person member = wrenn.signup("Member");
        Http memberInTeam = TestControlPlane.join(owner.http(), owner.teamId(), member, "member");
        String sandbox = owner.http().post("/v1/sandboxes", "{\"template\":\"minimal\"}").json().get("id").stringValue();

        assertThat(open(token(owner.http(), sandbox))).as("control: the owner's token opens it").isEqualTo(101);
        String members = token(memberInTeam, sandbox);
        assertThat(owner.http().delete("/v1/teams/" + owner.teamId() + "/members/" + member.userId()).status()).isEqualTo(204);
        assertThat(open(members)).isEqualTo(401);
    }

    @Test
    void aRevokedKeysSocketTokenNoLongerOpensTheSocket() throws Exception {
        Person owner = wrenn.signup("Keyholder");
        Http.Response key = owner.http().post("/v1/api-keys", "{\"name\":\"sock\"}");
        Http program = owner.http().withKey(key.json().get("key").stringValue());
        String sandbox = program.post("/v1/sandboxes", "{\"template\":\"minimal\"}").json().get("id").stringValue();
        String path = token(program, sandbox);
        assertThat(owner.http().delete("/v1/api-keys/" + key.json().get("id").stringValue()).status()).isEqualTo(204);
        assertThat(open(path)).isEqualTo(401);
    }
}
