package io.wrenn.hostagent.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Against a real QEMU with no machine: enough to speak QMP. */
class QmpClientTest {

    @TempDir
    Path dir;
    private Process qemu;
    private Path socket;

    @BeforeEach
    void startQemu() throws Exception {
        socket = dir.resolve("qmp.sock");
        qemu = new ProcessBuilder("qemu-system-x86_64", "-M", "none", "-display", "none", "-nodefaults",
                "-qmp", "unix:" + socket + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
    }

    @AfterEach
    void stopQemu() throws Exception {
        qemu.destroyForcibly();
        qemu.waitFor();
    }

    @Test
    void negotiatesAndAnswersCommandsById() {
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(10))) {
            JsonNode version = qmp.execute("query-version", null, Duration.ofSeconds(5));
            assertThat(version.path("qemu").path("major").asInt()).isGreaterThanOrEqualTo(7);

            // Several commands in flight at once each get their own answer.
            var status = qmp.send("query-status", null);
            var name = qmp.send("query-name", null);
            assertThat(status.join().has("status")).isTrue();
            assertThat(name.join()).isNotNull();
        }
    }

    @Test
    void errorsBecomeExceptions() {
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> qmp.execute("no-such-command", Map.of(), Duration.ofSeconds(5)))
                    .isInstanceOf(QmpException.class)
                    .hasMessageContaining("CommandNotFound");
        }
    }

    @Test
    void eventsGoToTheListenerAndQuitClosesTheConnection() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(10), e -> events.add(e.path("event").asString()))) {
            qmp.execute("stop", null, Duration.ofSeconds(5));
            qmp.execute("cont", null, Duration.ofSeconds(5));
            qmp.send("quit", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> qmp.closedFuture().isDone());
        }
        assertThat(qemu.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(events).contains("SHUTDOWN");
        assertThat(Files.exists(socket)).isFalse();
    }

    @Test
    void connectFailsWhenNobodyListens() {
        assertThatThrownBy(() -> QmpClient.connect(dir.resolve("nothing.sock"), Duration.ofMillis(200)))
                .isInstanceOf(QmpException.class);
    }
}
