package io.wrenn.hostagent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /init} as the readiness probe of a restored guest, against a stand-in for envd on a
 * loopback address of its own: an attempt that timed out after envd took it must not lock the
 * host out (envd then holds the new token and refuses the old one).
 */
class EnvdInitProbeTest {

    private static final String ADDRESS = "127.0.0.61";
    private static final String OLD = "old-token-old-token-old-token-old";
    private static final String NEW = "new-token-new-token-new-token-new";

    private HttpServer envd;
    /** The token envd accepts now; {@code /init} replaces it with the body's. */
    private final AtomicReference<String> token = new AtomicReference<>(OLD);
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch slowFirst = new CountDownLatch(0);
    private volatile int status = 204;
    private EnvdClient client;

    @BeforeEach
    void start() throws IOException {
        envd = HttpServer.create(new InetSocketAddress(ADDRESS, EnvdClient.PORT), 0);
        envd.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        envd.createContext("/init", exchange -> {
            String sent = exchange.getRequestHeaders().getFirst("X-Access-Token");
            tokensSeen.add(sent);
            String body = new String(exchange.getRequestBody().readAllBytes());
            // A guest that holds no token yet (a warm snapshot's) takes any call.
            if (token.get() != null && !token.get().equals(sent)) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            token.set(body.contains(NEW) ? NEW : token.get());
            try {
                // Applied, then slower than the caller waits: its answer is lost.
                slowFirst.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        envd.start();
        client = new EnvdClient(ADDRESS, NEW);
    }

    @AfterEach
    void stop() {
        client.close();
        envd.stop(0);
    }

    private boolean probe(Duration timeout) {
        return client.tryInit(Map.of("A", "1"), "user", "/home/user", Instant.now(), new byte[] {1, 2, 3}, OLD, timeout);
    }

    @Test
    void anAttemptWhoseAnswerWasLostIsFollowedByOneWithTheNewToken() {
        slowFirst = new CountDownLatch(1);
        assertThat(probe(Duration.ofMillis(300))).as("the first answer comes too late").isFalse();
        assertThat(token.get()).as("but envd took it").isEqualTo(NEW);
        slowFirst.countDown();

        assertThat(probe(Duration.ofSeconds(5))).isTrue();
        assertThat(tokensSeen).containsExactly(OLD, OLD, NEW);
    }

    @Test
    void aGuestThatHeldNoTokenAndTookTheNewOneFromAnAttemptWhoseAnswerWasLostIsReachedWithTheNewToken() {
        token.set(null);
        slowFirst = new CountDownLatch(1);
        assertThat(client.tryInit(Map.of("A", "1"), "user", "/home/user", Instant.now(), new byte[] {1, 2, 3}, null,
                Duration.ofMillis(300))).as("the first answer comes too late").isFalse();
        assertThat(token.get()).as("but envd took it").isEqualTo(NEW);
        slowFirst.countDown();

        assertThat(client.tryInit(Map.of("A", "1"), "user", "/home/user", Instant.now(), new byte[] {1, 2, 3}, null,
                Duration.ofSeconds(5))).isTrue();
        assertThat(tokensSeen).containsExactly(null, null, NEW);
    }

    @Test
    void aGuestNotListeningYetIsNotReady() {
        envd.stop(0);
        assertThat(probe(Duration.ofMillis(500))).isFalse();
    }

    @Test
    void aRefusalIsAnErrorNotAWait() {
        status = 500;
        assertThatThrownBy(() -> probe(Duration.ofSeconds(5))).isInstanceOf(GuestException.class);
    }
}
