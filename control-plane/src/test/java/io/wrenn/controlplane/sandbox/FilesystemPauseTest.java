package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pause that keeps only the disk, in Wrenn's API and E2B's, against the fake host agent: what
 * the host is asked, what the row and the views say, what is refused. The real VMs (disk kept,
 * RAM file gone, the resume boots) are in host-agent's LifecycleTest and the E2B SDK suite.
 */
class FilesystemPauseTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    private static String create(String path, String body, String idField) {
        Http.Response created = http.post(path, body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get(idField).stringValue();
    }

    @Test
    void wrennsPauseWithoutMemoryAsksTheHostToDropItAndTheResumeCanBootTheDisk() {
        String id = create("/v1/sandboxes", "{\"template\":\"minimal\"}", "id");

        Http.Response paused = http.post("/v1/sandboxes/" + id + "/pause", "{\"memory\":false}");

        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("status").stringValue()).isEqualTo("paused");
        assertThat(paused.json().get("paused_without_memory").booleanValue()).isTrue();
        assertThat(wrenn.agent.pauseCalls.getLast().getDropMemory()).isTrue();
        assertThat(http.post("/v1/sandboxes/" + id + "/resume", "").status()).isEqualTo(200);
        assertThat(wrenn.agent.resumeCalls.getLast().getReboot()).isFalse();
        assertThat(http.get("/v1/sandboxes/" + id).json().get("paused_without_memory").booleanValue()).isFalse();

        Http.Response withMemory = http.post("/v1/sandboxes/" + id + "/pause", "");
        assertThat(withMemory.json().get("paused_without_memory").booleanValue()).isFalse();
        assertThat(wrenn.agent.pauseCalls.getLast().getDropMemory()).isFalse();
        assertThat(http.post("/v1/sandboxes/" + id + "/resume", "{\"reboot\":true}").status()).isEqualTo(200);
        assertThat(wrenn.agent.resumeCalls.getLast().getReboot()).isTrue();
        http.delete("/v1/sandboxes/" + id);
    }

    @Test
    void badPauseAndResumeBodiesAreRefusedAndChangeNothing() {
        String id = create("/v1/sandboxes", "{\"template\":\"minimal\"}", "id");
        int pauses = wrenn.agent.pauseCalls.size();
        for (String body : new String[] {"{\"memory\":\"no\"}", "{\"keep\":false}", "[false]", "nope"}) {
            Http.Response refused = http.post("/v1/sandboxes/" + id + "/pause", body);
            assertThat(refused.status()).as(body).isEqualTo(400);
            assertThat(refused.json().get("code").stringValue()).isNotBlank();
        }
        assertThat(wrenn.agent.pauseCalls).hasSize(pauses);
        assertThat(http.get("/v1/sandboxes/" + id).json().get("status").stringValue()).isEqualTo("running");
        http.post("/v1/sandboxes/" + id + "/pause", "{\"memory\":false}");
        assertThat(http.post("/v1/sandboxes/" + id + "/resume", "{\"reboot\":1}").status()).isEqualTo(400);
        assertThat(http.get("/v1/sandboxes/" + id).json().get("status").stringValue()).isEqualTo("paused");
        assertThat(http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"on_timeout\":\"hibernate\"}").status()).isEqualTo(400);
        http.delete("/v1/sandboxes/" + id);
    }

    @Test
    void theTimeoutCanPauseKeepingOnlyTheDisk() {
        String id = create("/v1/sandboxes", "{\"template\":\"minimal\",\"on_timeout\":\"pause_filesystem\"}", "id");
        assertThat(wrenn.agent.creates.getLast().getOnTimeout()).isEqualTo(io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_PAUSE_FILESYSTEM);
        assertThat(http.get("/v1/sandboxes/" + id).json().get("on_timeout").stringValue()).isEqualTo("pause_filesystem");
        http.delete("/v1/sandboxes/" + id);
    }

    @Test
    void e2bLifecycleAndPauseOptionsWithoutMemory() {
        String id = create("/e2b/v2/sandboxes",
                "{\"templateID\":\"minimal\",\"autoPause\":true,\"autoPauseMemory\":false}", "sandboxID");
        assertThat(wrenn.agent.creates.getLast().getOnTimeout()).isEqualTo(io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_PAUSE_FILESYSTEM);
        assertThat(http.get("/e2b/sandboxes/" + id).json().get("lifecycle").get("onTimeout").stringValue()).isEqualTo("pause");
        Http.Response refused = http.post("/e2b/v2/sandboxes",
                "{\"templateID\":\"minimal\",\"autoPause\":true,\"autoPauseMemory\":false,\"autoResume\":{\"enabled\":true}}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("message").stringValue()).contains("autoResume");

        assertThat(http.post("/e2b/sandboxes/" + id + "/pause", "{\"memory\":false}").status()).isEqualTo(204);
        assertThat(wrenn.agent.pauseCalls.getLast().getDropMemory()).isTrue();
        assertThat(http.post("/e2b/sandboxes/" + id + "/pause", "{\"memory\":false}").status()).as("already paused").isEqualTo(409);
        Http.Response connected = http.post("/e2b/v2/sandboxes/" + id + "/connect", "{\"memory\":false,\"timeout\":1}");
        assertThat(connected.status()).as(connected.toString()).isEqualTo(201);
        assertThat(wrenn.agent.resumeCalls.getLast().getReboot()).isTrue();
        http.delete("/e2b/sandboxes/" + id);
    }

    @Test
    void trafficDoesNotWakeASandboxPausedWithoutItsMemoryButDoesOnePausedWithIt() throws Exception {
        String id = create("/e2b/v2/sandboxes",
                "{\"templateID\":\"minimal\",\"autoPause\":true,\"autoResume\":{\"enabled\":true}}", "sandboxID");
        String token = http.get("/e2b/sandboxes/" + id).json().get("envdAccessToken").stringValue();
        assertThat(http.post("/e2b/sandboxes/" + id + "/pause", "{\"memory\":false}").status()).isEqualTo(204);
        int resumes = wrenn.agent.resumeCalls.size();

        health(id, token);

        assertThat(wrenn.agent.resumeCalls).as("not woken by traffic").hasSize(resumes);
        assertThat(http.get("/e2b/sandboxes/" + id).json().get("state").stringValue()).isEqualTo("paused");
        Http.Response connected = http.post("/e2b/v2/sandboxes/" + id + "/connect", "{\"timeout\":1}");
        assertThat(connected.status()).isEqualTo(201);
        // A connect keeps the token (as E2B does); the answer carries it either way.
        String resumedToken = connected.json().get("envdAccessToken").stringValue();
        assertThat(http.post("/e2b/sandboxes/" + id + "/pause", "{}").status()).isEqualTo(204);

        health(id, resumedToken);

        assertThat(wrenn.agent.resumeCalls).as("a memory pause is woken").hasSize(resumes + 2);
        http.delete("/e2b/sandboxes/" + id);
    }

    private static void health(String id, String token) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrenn.controlPlane.port() + "/e2b/sandbox/health"))
                    .header("E2b-Sandbox-Id", id).header("E2b-Sandbox-Port", "49983").header("X-Access-Token", token)
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
        }
    }
}
