package io.wrenn.hostagent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A guest that replaced envd with a hostile server (a tenant is root in its guest): every answer
 * the host reads from it, whatever the route, is bounded in size and in time, so it fails only
 * its own call, and nothing it sends reaches the host's log. The stand-in guest listens on a
 * loopback address of its own.
 */
class EnvdHostileAnswersTest {

    private static final String ADDRESS = "127.0.0.63";
    /** Every case must end well within this: today's unbounded reads never end at all. */
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(3);
    private static final String MARKER = "GUEST-SECRET-MARKER";

    private HttpServer envd;
    private EnvdClient client;
    private final AtomicLong bytesSent = new AtomicLong();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void start() throws IOException {
        envd = HttpServer.create(new InetSocketAddress(ADDRESS, EnvdClient.PORT), 0);
        envd.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        envd.start();
        client = new EnvdClient(ADDRESS, "token", ANSWER_TIMEOUT);
        log.start();
        ((Logger) LoggerFactory.getLogger(EnvdClient.class)).addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(EnvdClient.class)).detachAppender(log);
        client.close();
        envd.stop(0);
    }

    /** Answers {@code status} with a body that never ends (the marker, then spaces). */
    private void endless(String path, int status) {
        envd.createContext(path, exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(status, 0);
                out.write(("{\"message\":\"" + MARKER).getBytes(StandardCharsets.UTF_8));
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) ' ');
                while (true) {
                    out.write(chunk);
                    bytesSent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the host hung up: that is the point
            }
        });
    }

    /** Reads the request, then never answers it (or trickles one byte a second after the headers). */
    private void silent(String path, boolean headersFirst) {
        envd.createContext(path, exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                if (headersFirst) {
                    exchange.sendResponseHeaders(200, 0);
                }
                for (int i = 0; i < 600; i++) {
                    if (headersFirst) {
                        exchange.getResponseBody().write(' ');
                        exchange.getResponseBody().flush();
                    }
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // the host hung up
            }
        });
    }

    private void assertNothingOfTheGuestLogged() {
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(line -> line.contains(MARKER));
    }

    @Test
    void anEndlessRefusalOfInitFailsOnlyThatCallAndIsNotLogged() {
        endless("/init", 500);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> client.tryInit(Map.of(), "user", "/home/user", Instant.now(), null, "token", ANSWER_TIMEOUT))
                .isInstanceOf(GuestException.class));
        assertNothingOfTheGuestLogged();
    }

    @Test
    void anEndlessAcceptanceOfInitFailsAtTheSizeBound() {
        endless("/init", 200);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> client.tryInit(Map.of(), "user", "/home/user", Instant.now(), null, "token", ANSWER_TIMEOUT))
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("exceeds"));
        assertThat(bytesSent.get()).as("the host stopped reading").isLessThan(64L << 20);
    }

    @Test
    void aTricklingAnswerToSetClockFailsAtTheTimeBound() {
        silent("/init", true);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.setClock(Instant.now()))
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("in time"));
    }

    @Test
    void anEndlessAnswerToAnUploadFailsAtTheSizeBound() {
        endless("/files", 200);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.writeFile("/tmp/f", "user",
                () -> new ByteArrayInputStream(new byte[1000])))
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("exceeds"));
    }

    @Test
    void anEndlessRefusalOfAnUploadIsCutAndNotLogged() {
        endless("/files", 400);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.writeFile("/tmp/f", "user",
                () -> new ByteArrayInputStream(new byte[1000])))
                .isInstanceOf(GuestException.class));
        assertNothingOfTheGuestLogged();
    }

    @Test
    void anUploadTheGuestNeverAnswersEndsAfterTheAnswerTimeout() {
        silent("/files", false);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> client.writeFile("/tmp/f", "user", () -> new ByteArrayInputStream(new byte[1000])))
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("did not answer"));
    }

    @Test
    void anEndlessErrorOfADownloadIsCut() {
        endless("/files", 404);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.readFile("/tmp/f", "user", 0, 0))
                .isInstanceOf(GuestException.class));
    }

    @Test
    void anEndlessUnaryAnswerFailsAtTheSizeBound() {
        endless("/process.Process/List", 200);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.processes().list())
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("exceeds"));
    }

    @Test
    void anEndlessUnaryErrorIsCutAndItsMessageShortened() {
        endless("/process.Process/List", 500);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> client.processes().list())
                .isInstanceOf(GuestException.class)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(1000)));
    }

    @Test
    void aStreamWhoseHeadersNeverComeFailsInTime() {
        silent("/process.Process/Start", false);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> client.start(new GuestConnection.StartSpec("true", java.util.List.of(), Map.of(), null, null)))
                .isInstanceOf(GuestException.class));
    }

    @Test
    void anEndlessHealthAnswerIsNotRead() {
        endless("/health", 200);
        assertTimeoutPreemptively(BOUND, () -> assertThat(client.health(Duration.ofSeconds(5))).isTrue());
    }
}
