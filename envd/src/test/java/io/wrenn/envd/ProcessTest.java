package io.wrenn.envd;

import io.wrenn.envd.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.wrenn.envd.EnvdClient.endOf;
import static io.wrenn.envd.EnvdClient.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcessTest {
    @RegisterExtension
    final EnvdFixture fixture = new EnvdFixture();
    private final EnvdClient client = fixture.client;

    private static Map<String, Object> startRequest(String cmd, List<String> args) {
        return Map.of("process", Map.of("cmd", cmd, "args", args), "stdin", false);
    }

    private List<JsonObject> run(Map<String, Object> request, String... headers) {
        try (var stream = client.stream("process.Process/Start", request, headers)) {
            List<JsonObject> events = stream.rest();
            assertThat(stream.error()).isEmpty();
            return events;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonObject> sh(String script, String... headers) {
        return run(startRequest("/bin/sh", List.of("-c", script)), headers);
    }

    @Test
    void echoStreamsStartDataAndEnd() {
        List<JsonObject> events = run(startRequest("echo", List.of("hello")));

        assertThat(events.getFirst().object("start").orElseThrow().integer("pid")).get().matches(pid -> pid > 0);
        JsonObject data = events.get(1).object("data").orElseThrow();
        assertThat(data.string("stdout")).contains(Base64.getEncoder().encodeToString("hello\n".getBytes()));
        JsonObject end = endOf(events);
        assertThat(end.integer("exitCode")).contains(0L);
        assertThat(end.bool("exited")).contains(true);
        assertThat(end.has("error")).isFalse();
    }

    @Test
    void exitCodeAndStderrAreReported() {
        List<JsonObject> events = sh("echo oops >&2; exit 3");

        assertThat(output(events, "stderr")).isEqualTo("oops\n");
        JsonObject end = endOf(events);
        assertThat(end.integer("exitCode")).contains(3L);
        assertThat(end.string("status")).contains("exit status 3");
        assertThat(end.string("error")).contains("exit status 3");
    }

    @Test
    void envAndCwdAreHonoured(@TempDir Path dir) {
        var request = Map.<String, Object>of("process", Map.of(
                "cmd", "/bin/sh", "args", List.of("-c", "echo $GREETING; pwd; echo $HOME $USER"),
                "envs", Map.of("GREETING", "bonjour"), "cwd", dir.toString()));

        List<JsonObject> events = run(request);

        assertThat(output(events, "stdout")).isEqualTo("bonjour\n" + dir + "\n/root root\n");
    }

    @Test
    void relativeCwdIsResolvedAgainstHome() {
        assertThat(output(run(Map.of("process", Map.of("cmd", "pwd", "cwd", "."))), "stdout")).isEqualTo("/root\n");
    }

    @Test
    void missingCwdIsAnErrorNotAFallback() throws Exception {
        var request = Map.<String, Object>of("process", Map.of("cmd", "pwd", "cwd", "/definitely/not/here"));
        try (var stream = client.stream("process.Process/Start", request)) {
            assertThat(stream.rest()).isEmpty();
            assertThat(stream.error()).get().satisfies(error -> {
                assertThat(error.string("code")).contains("invalid_argument");
                assertThat(error.string("message")).get().asString().contains("/definitely/not/here");
            });
        }
    }

    @Test
    void unknownCommandIsAnError() throws Exception {
        try (var stream = client.stream("process.Process/Start", startRequest("no-such-command-xyz", List.of()))) {
            assertThat(stream.rest()).isEmpty();
            assertThat(stream.error().orElseThrow().string("code")).contains("invalid_argument");
        }
    }

    @Test
    void runsAsTheUserNamedInBasicAuth() {
        List<JsonObject> events = sh("id -u; id -un; pwd; echo $HOME", "Authorization", EnvdClient.basicAuth("nobody"));

        assertThat(output(events, "stdout")).isEqualTo("65534\nnobody\n/\n/nonexistent\n");
    }

    @Test
    void unknownUserIsUnauthenticated() throws Exception {
        try (var stream = client.stream("process.Process/Start", startRequest("true", List.of()),
                "Authorization", EnvdClient.basicAuth("no-such-user"))) {
            assertThat(stream.rest()).isEmpty();
            assertThat(stream.error().orElseThrow().string("code")).contains("unauthenticated");
        }
    }

    @Test
    void stdinViaSendInputAndCloseStdin() throws Exception {
        var request = Map.<String, Object>of("process", Map.of("cmd", "cat"), "stdin", true);
        try (var stream = client.stream("process.Process/Start", request)) {
            long pid = stream.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();
            var selector = Map.of("pid", pid);

            var input = client.unary("process.Process/SendInput", Map.of("process", selector,
                    "input", Map.of("stdin", Base64.getEncoder().encodeToString("ping\n".getBytes()))));
            assertThat(input.status()).isEqualTo(200);
            JsonObject echoed = stream.nextEvent().orElseThrow();
            assertThat(output(List.of(echoed), "stdout")).isEqualTo("ping\n");

            assertThat(client.unary("process.Process/CloseStdin", Map.of("process", selector)).status()).isEqualTo(200);
            List<JsonObject> rest = stream.rest();
            assertThat(endOf(rest).integer("exitCode")).contains(0L);
        }
    }

    @Test
    void sigtermKillsTheWholeTree() throws Exception {
        try (var stream = client.stream("process.Process/Start", startRequest("/bin/sh",
                List.of("-c", "sleep 1000 & sleep 1000 & echo started; wait")))) {
            long pid = stream.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();
            assertThat(output(List.of(stream.nextEvent().orElseThrow()), "stdout")).isEqualTo("started\n");
            List<ProcessHandle> tree = ProcessHandle.of(pid).orElseThrow().descendants().toList();
            assertThat(tree).hasSize(2);

            var reply = client.unary("process.Process/SendSignal",
                    Map.of("process", Map.of("pid", pid), "signal", "SIGNAL_SIGTERM"));
            assertThat(reply.status()).isEqualTo(200);

            JsonObject end = endOf(stream.rest());
            assertThat(end.bool("exited")).contains(false);
            assertThat(end.string("status")).contains("signal: terminated");
            await().atMost(Duration.ofSeconds(5)).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
        }
    }

    @Test
    void sigkillOfAnUnknownPidIsNotFound() {
        var reply = client.unary("process.Process/SendSignal",
                Map.of("process", Map.of("pid", 999_999), "signal", "SIGNAL_SIGKILL"));
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().string("code")).contains("not_found");
    }

    @Test
    void lateConnectReceivesEarlierOutputThenLiveOutput() throws Exception {
        var request = Map.<String, Object>of("process", Map.of("cmd", "/bin/sh", "args", List.of("-c", "echo early; cat")),
                "stdin", true, "tag", "late-test");
        long pid;
        try (var first = client.stream("process.Process/Start", request)) {
            pid = first.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();
            assertThat(output(List.of(first.nextEvent().orElseThrow()), "stdout")).isEqualTo("early\n");
        } // the first client goes away; the process keeps running

        try (var late = client.stream("process.Process/Connect", Map.of("process", Map.of("tag", "late-test")))) {
            assertThat(late.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid")).contains(pid);
            assertThat(output(List.of(late.nextEvent().orElseThrow()), "stdout")).isEqualTo("early\n");

            client.unary("process.Process/SendInput", Map.of("process", Map.of("pid", pid),
                    "input", Map.of("stdin", Base64.getEncoder().encodeToString("live\n".getBytes()))));
            assertThat(output(List.of(late.nextEvent().orElseThrow()), "stdout")).isEqualTo("live\n");
            client.unary("process.Process/CloseStdin", Map.of("process", Map.of("pid", pid)));
            assertThat(endOf(late.rest()).integer("exitCode")).contains(0L);
        }
    }

    @Test
    void connectAfterExitReplaysOutputAndEnd() {
        List<JsonObject> events = sh("echo done; exit 7");
        long pid = events.getFirst().object("start").orElseThrow().integer("pid").orElseThrow();

        try (var late = client.stream("process.Process/Connect", Map.of("process", Map.of("pid", pid)))) {
            List<JsonObject> replay = late.rest();
            assertThat(output(replay, "stdout")).isEqualTo("done\n");
            assertThat(endOf(replay).integer("exitCode")).contains(7L);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void listShowsRunningProcessesWithTheirConfig() throws Exception {
        var request = Map.<String, Object>of("process", Map.of("cmd", "sleep", "args", List.of("1000"),
                "envs", Map.of("A", "1"), "cwd", "/tmp"), "tag", "sleeper", "stdin", false);
        try (var stream = client.stream("process.Process/Start", request)) {
            long pid = stream.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();

            var list = client.unary("process.Process/List", Map.of()).json();
            @SuppressWarnings("unchecked")
            var processes = (List<Map<String, Object>>) list.asMap().get("processes");
            assertThat(processes).hasSize(1);
            var info = new JsonObject(processes.getFirst());
            assertThat(info.integer("pid")).contains(pid);
            assertThat(info.string("tag")).contains("sleeper");
            JsonObject config = info.object("config").orElseThrow();
            assertThat(config.string("cmd")).contains("sleep");
            assertThat(config.stringList("args")).containsExactly("1000");
            assertThat(config.stringMap("envs")).containsEntry("A", "1");
            assertThat(config.string("cwd")).contains("/tmp");

            client.unary("process.Process/SendSignal", Map.of("process", Map.of("tag", "sleeper"), "signal", "SIGNAL_SIGKILL"));
            assertThat(endOf(stream.rest()).string("status")).contains("signal: killed");
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                client.unary("process.Process/List", Map.of()).body().equals("{\"processes\":[]}"));
    }

    @Test
    void idleStreamsCarryKeepalives() throws Exception {
        try (var stream = client.stream("process.Process/Start", startRequest("sleep", List.of("1000")),
                "Keepalive-Ping-Interval", "1")) {
            long pid = stream.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();
            assertThat(stream.nextEvent().orElseThrow().has("keepalive")).isTrue();
            client.unary("process.Process/SendSignal", Map.of("process", Map.of("pid", pid), "signal", "SIGNAL_SIGKILL"));
            assertThat(endOf(stream.rest()).bool("exited")).contains(false);
        }
    }

    @Test
    void connectTimeoutKillsAStartedProcess() {
        List<JsonObject> events = run(startRequest("sleep", List.of("1000")), "Connect-Timeout-Ms", "300");
        assertThat(endOf(events).string("status")).contains("signal: killed");
    }

    @Test
    void connectToAnUnknownProcessEndsWithNotFound() throws Exception {
        try (var stream = client.stream("process.Process/Connect", Map.of("process", Map.of("pid", 999_999)))) {
            assertThat(stream.rest()).isEmpty();
            assertThat(stream.error().orElseThrow().string("code")).contains("not_found");
        }
    }

    @Test
    void connectTimeoutEndsOnlyTheConnectStream() throws Exception {
        try (var started = client.stream("process.Process/Start", startRequest("sleep", List.of("1000")))) {
            long pid = started.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();
            try (var attached = client.stream("process.Process/Connect", Map.of("process", Map.of("pid", pid)),
                    "Connect-Timeout-Ms", "200")) {
                attached.rest();
                assertThat(attached.error().orElseThrow().string("code")).contains("deadline_exceeded");
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
            client.unary("process.Process/SendSignal", Map.of("process", Map.of("pid", pid), "signal", "SIGNAL_SIGKILL"));
            assertThat(endOf(started.rest()).bool("exited")).contains(false);
        }
    }

    @Test
    void inputToAProcessWithoutStdinIsAFailedPrecondition() throws Exception {
        try (var stream = client.stream("process.Process/Start", startRequest("sleep", List.of("1000")))) {
            long pid = stream.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();
            var reply = client.unary("process.Process/SendInput", Map.of("process", Map.of("pid", pid),
                    "input", Map.of("stdin", "eA==")));
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.json().string("code")).contains("failed_precondition");
            client.unary("process.Process/SendSignal", Map.of("process", Map.of("pid", pid), "signal", "SIGNAL_SIGKILL"));
            stream.rest();
        }
    }

    @Test
    void aStreamRequestWithoutEnvelopeIsAccepted() throws Exception {
        var response = client.http.send(client.request("/process.Process/Start")
                .header("Content-Type", "application/connect+json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"process\":{\"cmd\":\"echo\",\"args\":[\"bare\"]}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        try (var stream = new EnvdClient.Stream(response.body())) {
            assertThat(output(stream.rest(), "stdout")).isEqualTo("bare\n");
        }
    }

    @Test
    void unaryErrorsUseConnectCodesAndStatuses() {
        var reply = client.unary("process.Process/Nope", Map.of());
        assertThat(reply.status()).isEqualTo(501);
        assertThat(reply.json().string("code")).contains("unimplemented");

        var bad = client.send(client.request("/process.Process/List")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{not json", StandardCharsets.UTF_8)).build());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().string("code")).contains("invalid_argument");
    }

    @Test
    void aBackgroundChildHoldingThePipesDoesNotHoldTheEndBack() throws Exception {
        List<JsonObject> events;
        long started = System.nanoTime();
        events = sh("(while true; do echo tick; sleep 0.1; done) & echo leader-done");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        // The loop may print before the leader does: only that the leader's line arrived is certain.
        assertThat(output(events, "stdout")).contains("leader-done\n");
        assertThat(endOf(events).integer("exitCode")).contains(0L);
        // The orphaned loop is still in the process group envd made: kill it like a client would not be able to.
        long pid = events.getFirst().object("start").orElseThrow().integer("pid").orElseThrow();
        io.wrenn.envd.linux.Libc.kill((int) -pid, 9);
    }

    @Test
    void largeOutputIsDeliveredCompletelyToTheStartStream() {
        // 8 MiB, far more than the 1 MiB window: the live stream applies back-pressure instead of dropping.
        List<JsonObject> events = sh("head -c 8388608 /dev/zero | tr '\\0' 'x'");
        assertThat(output(events, "stdout")).hasSize(8 * 1024 * 1024);
        assertThat(endOf(events).integer("exitCode")).contains(0L);
    }
}
