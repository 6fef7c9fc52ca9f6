package io.wrenn.hostagent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * envd's {@code /metrics} read by the host, against a stand-in guest on a loopback address of
 * its own: a guest answering without end, or too slowly, fails only its own read, fast, and the
 * host reads no more than the bound.
 */
class EnvdMetricsReadTest {

    private static final String ADDRESS = "127.0.0.62";

    private HttpServer envd;
    private volatile Answer answer = Answer.FINE;
    private final AtomicLong bytesSent = new AtomicLong();
    private EnvdClient client;

    private enum Answer { FINE, ENDLESS, TRICKLE, NOT_JSON }

    @BeforeEach
    void start() throws IOException {
        envd = HttpServer.create(new InetSocketAddress(ADDRESS, EnvdClient.PORT), 0);
        envd.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        envd.createContext("/metrics", this::metrics);
        envd.start();
        client = new EnvdClient(ADDRESS, "token");
    }

    @AfterEach
    void stop() {
        client.close();
        envd.stop(0);
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            switch (answer) {
                case FINE -> {
                    byte[] body = "{\"mem_used\":1024,\"mem_total\":4096}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    out.write(body);
                }
                case NOT_JSON -> {
                    exchange.sendResponseHeaders(200, 0);
                    out.write("<html>".getBytes(StandardCharsets.UTF_8));
                }
                case ENDLESS -> {
                    exchange.sendResponseHeaders(200, 0);
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    out.write('{');
                    while (true) {
                        out.write(chunk);
                        bytesSent.addAndGet(chunk.length);
                    }
                }
                case TRICKLE -> {
                    exchange.sendResponseHeaders(200, 0);
                    for (int i = 0; i < 600; i++) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(100);
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the host hung up: that is the point
        }
    }

    @Test
    void aWellFormedAnswerIsRead() {
        assertThat(client.metrics(Duration.ofSeconds(5)).path("mem_used").asLong()).isEqualTo(1024);
    }

    @Test
    void anEndlessAnswerFailsAtTheSizeBound() {
        answer = Answer.ENDLESS;
        assertThatThrownBy(() -> client.metrics(Duration.ofSeconds(5)))
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void aTricklingAnswerFailsAtTheTimeBound() {
        answer = Answer.TRICKLE;
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.metrics(Duration.ofSeconds(1)))
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("in time");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void anAnswerThatIsNotJsonIsAGuestFailure() {
        answer = Answer.NOT_JSON;
        assertThatThrownBy(() -> client.metrics(Duration.ofSeconds(5))).isInstanceOf(GuestException.class);
    }
}
