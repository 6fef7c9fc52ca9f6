package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import io.wrenn.testkit.ProcessSocket;
import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;
import tools.jackson.databind.JsonNode;

/**
 * Back-pressure end to end: a command that would write 1 GiB, read by a client that stops
 * reading, must stall in the guest instead of piling up in the host agent or the control plane
 * (both run in this JVM, so its live heap bounds them both). Then: nothing hangs when the
 * sandbox goes away under calls in flight.
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("vm")
class BackPressureTest {
    /** How much the test reads after the stall: enough to cross many buffers, little enough for TCG. */
    private static final long READ_BYTES = 16L << 20;
    /** Live heap the whole Wrenn may add while the output streams through; far below the output's size. */
    private static final long HEAP_BOUND = 96L << 20;

    private WrennFixture wrenn;
    private WrennClient api;
    private String sandbox;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        sandbox = api.createSandbox(Map.of("template", "minimal", "timeout_s", 3600)).get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    @Order(1)
    void aSlowReaderStallsTheProcessAndNoComponentBuffersTheOutput() {
        long baseline = liveHeap();
        try (ProcessSocket socket = ProcessSocket.open(api.base(), wrenn.wrenn().apiKey(), sandbox)) {
            socket.send(Map.of("type", "start", "cmd", "head", "args", List.of("-c", Long.toString(1L << 30), "/dev/zero")));
            int pid = socket.next(Duration.ofSeconds(30)).path("pid").asInt();

            // The client reads nothing now: the producer must come to a stop far short of its 1 GiB.
            AtomicLong lastWritten = new AtomicLong(-1);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                long written = bytesWritten(pid);
                return written == lastWritten.getAndSet(written);
            });
            assertThat(lastWritten.get()).as("bytes the stalled producer wrote").isLessThan(64L << 20);
            assertThat(liveHeap() - baseline).as("live heap with a stalled reader").isLessThan(HEAP_BOUND);

            // Reading resumes the producer; the heap stays flat while the output flows.
            long received = 0;
            long nextCheck = 4L << 20;
            while (received < READ_BYTES) {
                JsonNode message = socket.next(Duration.ofMinutes(2));
                assertThat(message.path("type").asString()).isEqualTo("stdout");
                received += Base64.getDecoder().decode(message.path("data").asString()).length;
                if (received >= nextCheck) {
                    assertThat(liveHeap() - baseline).as("live heap after %d bytes", received).isLessThan(HEAP_BOUND);
                    nextCheck += 4L << 20;
                }
            }
            assertThat(bytesWritten(pid)).as("the producer moved on").isGreaterThan(lastWritten.get());
        }
        // A foreground process dies with its socket.
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !api.get("/v1/sandboxes/" + sandbox + "/processes").json().findValuesAsString("cmd").contains("head"));
    }

    @Test
    @Order(2)
    void callsInFlightEndWhenTheSandboxIsDestroyed() throws Exception {
        try (ProcessSocket socket = ProcessSocket.open(api.base(), wrenn.wrenn().apiKey(), sandbox)) {
            socket.send(Map.of("type", "start", "cmd", "sleep", "args", List.of("1000")));
            assertThat(socket.next(Duration.ofSeconds(30)).path("type").asString()).isEqualTo("started");
            var exec = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    api.post("/v1/sandboxes/" + sandbox + "/exec", Map.of("cmd", "sleep", "args", List.of("1000"), "timeout_s", 3600)));
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sandboxes/" + sandbox + "/processes").json()
                    .findValuesAsString("cmd").stream().filter("sleep"::equals).count() == 2);

            assertThat(api.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);

            assertThat(exec.get(60, java.util.concurrent.TimeUnit.SECONDS).status()).isGreaterThanOrEqualTo(400);
            JsonNode last = socket.next(Duration.ofSeconds(60));
            while (!last.path("type").asString().equals(ProcessSocket.CLOSED)) {
                last = socket.next(Duration.ofSeconds(60));
            }
        }
    }

    /** What the guest process has written so far, from its /proc/PID/io. */
    private long bytesWritten(int pid) {
        JsonNode io = api.exec(sandbox, "cat", "/proc/" + pid + "/io");
        for (String line : io.path("stdout").asString().split("\n")) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).strip());
            }
        }
        throw new AssertionError("no wchar in /proc/" + pid + "/io: " + io);
    }

    /** Heap still in use after a full collection: what the running code really holds. */
    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
