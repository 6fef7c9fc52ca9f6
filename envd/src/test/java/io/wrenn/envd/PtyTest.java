package io.wrenn.envd;

import io.wrenn.envd.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.wrenn.envd.EnvdClient.endOf;
import static org.assertj.core.api.Assertions.assertThat;

class PtyTest {
    @RegisterExtension
    final EnvdFixture fixture = new EnvdFixture();
    private final EnvdClient client = fixture.client;

    private static String pty(JsonObject event) {
        return event.object("data").flatMap(d -> d.bytes("pty")).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
    }

    /** Reads pty output until it contains {@code expected}; returns all of it. */
    private static String readUntil(EnvdClient.Stream stream, String expected) {
        var seen = new StringBuilder();
        while (!seen.toString().contains(expected)) {
            seen.append(pty(stream.nextEvent().orElseThrow(() -> new AssertionError("stream ended; saw: " + seen))));
        }
        return seen.toString();
    }

    private void input(long pid, String text) {
        var reply = client.unary("process.Process/SendInput", Map.of("process", Map.of("pid", pid),
                "input", Map.of("pty", Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)))));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void aShellOnAPtyHasATerminalOfTheRequestedSizeAndCanBeResized() throws Exception {
        var request = Map.<String, Object>of("process", Map.of("cmd", "/bin/sh"),
                "pty", Map.of("size", Map.of("cols", 100, "rows", 30)));
        try (var stream = client.stream("process.Process/Start", request)) {
            long pid = stream.nextEvent().orElseThrow().object("start").orElseThrow().integer("pid").orElseThrow();

            input(pid, "stty size; tty; echo TERM=$TERM\n");
            String out = readUntil(stream, "TERM=xterm-256color");
            assertThat(out).contains("30 100").contains("/dev/pts/");

            var resize = client.unary("process.Process/Update", Map.of("process", Map.of("pid", pid),
                    "pty", Map.of("size", Map.of("cols", 120, "rows", 40))));
            assertThat(resize.status()).isEqualTo(200);
            input(pid, "stty size\n");
            assertThat(readUntil(stream, "40 120")).contains("40 120");

            var close = client.unary("process.Process/CloseStdin", Map.of("process", Map.of("pid", pid)));
            assertThat(close.status()).isEqualTo(400);
            assertThat(close.json().string("code")).contains("failed_precondition");

            input(pid, "exit 4\n");
            List<JsonObject> rest = stream.rest();
            assertThat(endOf(rest).integer("exitCode")).contains(4L);
        }
    }

    @Test
    void aPtyProcessRunsAsTheRequestedUserWithAControllingTerminal() throws Exception {
        var request = Map.<String, Object>of("process", Map.of("cmd", "/bin/sh", "args", List.of("-c", "id -un; ps -o tty= -p $$")),
                "pty", Map.of());
        try (var stream = client.stream("process.Process/Start", request, "Authorization", EnvdClient.basicAuth("nobody"))) {
            List<JsonObject> events = stream.rest();
            var out = new StringBuilder();
            events.forEach(e -> out.append(pty(e)));
            assertThat(out.toString()).startsWith("nobody").contains("pts/");
            assertThat(endOf(events).integer("exitCode")).contains(0L);
        }
    }
}
