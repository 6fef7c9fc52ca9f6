package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import io.wrenn.testkit.ProcessSocket;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import tools.jackson.databind.JsonNode;

/** Processes driven live over the WebSocket: streamed output, stdin, signals, terminals, background processes. */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class ProcessStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private WrennFixture wrenn;
    private WrennClient api;
    private String sandbox;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        sandbox = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    private ProcessSocket socket() {
        return ProcessSocket.open(api.base(), apiKey(), sandbox);
    }

    private String apiKey() {
        return wrenn.wrenn().apiKey();
    }

    @Test
    void outputArrivesWhileTheProcessIsStillRunning() {
        try (ProcessSocket socket = socket()) {
            // The process cannot print its second line until the test lets it: the first line
            // can only have arrived by being streamed.
            socket.send(Map.of("type", "start", "cmd", "sh", "args", List.of("-c",
                    "echo first; while [ ! -f /tmp/go-stream ]; do sleep 0.1; done; echo second; echo oops >&2; exit 4")));
            JsonNode started = socket.next(WAIT);
            assertThat(started.path("type").asString()).isEqualTo("started");
            assertThat(started.path("pid").asInt()).isPositive();
            assertThat(socket.outputUntil("first\n", WAIT)).isEqualTo("first\n");

            assertThat(api.exec(sandbox, "touch", "/tmp/go-stream").get("exit_code").asInt()).isZero();
            ProcessSocket.Until exit = socket.until("exited", WAIT);
            assertThat(exit.output()).contains("second\n").contains("oops\n");
            assertThat(exit.message().path("exit_code").asInt()).isEqualTo(4);
            assertThat(socket.next(WAIT).path("type").asString()).isEqualTo(ProcessSocket.CLOSED);
        }
    }

    @Test
    void catEchoesStdinAndEndsWhenStdinCloses() {
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "start", "cmd", "cat"));
            socket.stdin("hello over stdin\n");
            assertThat(socket.outputUntil("hello over stdin\n", WAIT)).isEqualTo("hello over stdin\n");
            socket.send(Map.of("type", "close_stdin"));
            assertThat(socket.until("exited", WAIT).message().path("exit_code").asInt()).isZero();
        }
    }

    @Test
    void sigtermStopsALongSleep() {
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "start", "cmd", "sleep", "args", List.of("1000")));
            assertThat(socket.next(WAIT).path("type").asString()).isEqualTo("started");
            socket.send(Map.of("type", "signal", "signal", "SIGTERM"));
            JsonNode exited = socket.until("exited", WAIT).message();
            assertThat(exited.path("exit_code").asInt()).isNotZero();
            assertThat(exited.path("error").asString()).contains("terminated");
        }
    }

    @Test
    void aShellOnATerminalAnswersTtyAndSeesResizes() {
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "start", "cmd", "sh", "pty", true, "cols", 80, "rows", 24));
            socket.stdin("tty\n");
            assertThat(socket.outputUntil("/dev/pts/", WAIT)).contains("/dev/pts/");
            socket.send(Map.of("type", "resize", "cols", 100, "rows", 40));
            socket.stdin("stty size\n");
            assertThat(socket.outputUntil("40 100", WAIT)).contains("40 100");
            socket.stdin("exit 7\n");
            assertThat(socket.until("exited", WAIT).message().path("exit_code").asInt()).isEqualTo(7);
        }
    }

    @Test
    void aBackgroundProcessOutlivesItsSocketAndIsReattachedWithWhatItPrinted() {
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "start", "cmd", "sh", "tag", "worker", "background", true, "args", List.of("-c",
                    "echo before; while [ ! -f /tmp/go-bg ]; do sleep 0.1; done; echo while-away; sleep 1000")));
            assertThat(socket.outputUntil("before\n", WAIT)).contains("before");
        }
        // Output produced while nobody is attached is kept for the next one.
        assertThat(api.exec(sandbox, "touch", "/tmp/go-bg").get("exit_code").asInt()).isZero();
        JsonNode listed = await().atMost(WAIT).until(() -> api.get("/v1/sandboxes/" + sandbox + "/processes").json(),
                json -> json.findValuesAsString("tag").contains("worker"));
        int pid = findPid(listed, "worker");

        try (ProcessSocket again = socket()) {
            again.send(Map.of("type", "attach", "tag", "worker"));
            JsonNode started = again.next(WAIT);
            assertThat(started.path("pid").asInt()).isEqualTo(pid);
            assertThat(again.outputUntil("while-away\n", WAIT)).contains("before\n").contains("while-away\n");

            assertThat(api.post("/v1/sandboxes/" + sandbox + "/processes/" + pid + "/signal",
                    Map.of("signal", "SIGKILL")).status()).isEqualTo(204);
            assertThat(again.until("exited", WAIT).message().path("error").asString()).contains("killed");
        }
        await().atMost(WAIT).until(() -> !api.get("/v1/sandboxes/" + sandbox + "/processes").json()
                .findValuesAsString("tag").contains("worker"));
    }

    @Test
    void aForegroundProcessDiesWithItsSocket() {
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "start", "cmd", "sleep", "args", List.of("999"), "tag", "fg-sleeper"));
            assertThat(socket.next(WAIT).path("type").asString()).isEqualTo("started");
            assertThat(api.get("/v1/sandboxes/" + sandbox + "/processes").json().findValuesAsString("tag"))
                    .contains("fg-sleeper");
        }
        await().atMost(WAIT).until(() -> !api.get("/v1/sandboxes/" + sandbox + "/processes").json()
                .findValuesAsString("tag").contains("fg-sleeper"));
    }

    @Test
    void badMessagesAreRefusedWithAnErrorAndUnknownPidsAre404() {
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "stdin", "data", "aGk="));
            JsonNode error = socket.next(WAIT);
            assertThat(error.path("type").asString()).isEqualTo("error");
            assertThat(error.path("code").asString()).isEqualTo("invalid_request");
            assertThat(socket.next(WAIT).path("code").asInt()).isEqualTo(1008);
        }
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "start", "cmd", "sh", "bogus", 1));
            assertThat(socket.next(WAIT).path("message").asString()).contains("bogus");
        }
        try (ProcessSocket socket = socket()) {
            socket.send(Map.of("type", "attach", "pid", 999_999));
            JsonNode error = socket.next(WAIT);
            assertThat(error.path("type").asString()).isEqualTo("error");
            assertThat(error.path("code").asString()).isEqualTo("not_found");
        }
        assertThat(api.post("/v1/sandboxes/" + sandbox + "/processes/999999/signal", Map.of("signal", "SIGTERM")).status())
                .isEqualTo(404);
        assertThat(api.post("/v1/sandboxes/" + sandbox + "/processes/abc/signal", Map.of("signal", "SIGTERM")).status())
                .isEqualTo(400);
        assertThat(api.post("/v1/sandboxes/" + sandbox + "/processes/1/signal", Map.of("signal", "SIGSTOP")).status())
                .isEqualTo(400);
    }

    @Test
    void theUpgradeNeedsAKeyAndTheTeamsOwnSandbox() {
        assertThat(upgradeStatus(null)).isEqualTo(401);
        assertThat(upgradeStatus("wrn_" + "0".repeat(48))).isEqualTo(401);
        assertThat(upgradeStatus(wrenn.createTeamWithKey("other-team"))).isEqualTo(404);
    }

    @Test
    void aBrowserOpensTheSocketOnceWithASingleUseToken() {
        JsonNode issued = api.post("/v1/sandboxes/" + sandbox + "/ws-token", Map.of()).json();
        String urlPath = issued.path("url_path").asString();
        assertThat(urlPath).startsWith("/v1/sandboxes/" + sandbox + "/processes/stream?token=wst_");
        try (ProcessSocket socket = ProcessSocket.openWithToken(api.base(), urlPath)) {
            socket.send(Map.of("type", "start", "cmd", "echo", "args", List.of("via-token")));
            assertThat(socket.until("exited", WAIT).output()).isEqualTo("via-token\n");
        }
        assertThat(upgradeStatus(null, urlPath)).as("a spent token").isEqualTo(401);

        // A token is good for the socket it was issued for only.
        String other = api.createSandbox(Map.of("template", "minimal")).get("id").asString();
        try {
            String token = api.post("/v1/sandboxes/" + sandbox + "/ws-token", Map.of()).json().path("token").asString();
            assertThat(upgradeStatus(null, "/v1/sandboxes/" + other + "/processes/stream?token=" + token)).isEqualTo(401);
            assertThat(api.withKey(null).post("/v1/sandboxes/" + sandbox + "/ws-token", Map.of()).status()).isEqualTo(401);
            assertThat(api.withKey(wrenn.createTeamWithKey("token-thief")).post("/v1/sandboxes/" + sandbox + "/ws-token",
                    Map.of()).status()).isEqualTo(404);
        } finally {
            api.delete("/v1/sandboxes/" + other);
        }
    }

    /** The HTTP status with which the server refuses the WebSocket upgrade. */
    private int upgradeStatus(String key) {
        return upgradeStatus(key, "/v1/sandboxes/" + sandbox + "/processes/stream");
    }

    private int upgradeStatus(String key, String path) {
        URI uri = URI.create(api.base().toString().replaceFirst("^http", "ws") + path);
        var builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (key != null) {
            builder.header("X-API-Key", key);
        }
        try {
            builder.buildAsync(uri, new WebSocket.Listener() { }).join().abort();
            throw new AssertionError("the upgrade was accepted");
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    private static int findPid(JsonNode listed, String tag) {
        for (JsonNode process : listed.path("processes")) {
            if (tag.equals(process.path("tag").asString(""))) {
                return process.path("pid").asInt();
            }
        }
        throw new AssertionError("no process tagged " + tag + " in " + listed);
    }
}
