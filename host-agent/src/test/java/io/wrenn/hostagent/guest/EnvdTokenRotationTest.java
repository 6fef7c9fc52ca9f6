package io.wrenn.hostagent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A running guest's token replaced: {@code /init} with the new one, authenticated with the old,
 * against a stand-in for envd that demands the token it holds (as envd's filter does); the
 * connection sends the new one from then on, and keeps the old one when envd refuses.
 */
class EnvdTokenRotationTest {

    private static final String ADDRESS = "127.0.0.62";
    private static final String OLD = "old-token-old-token-old-token-old";
    private static final String NEW = "new-token-new-token-new-token-new";

    private HttpServer envd;
    private final AtomicReference<String> held = new AtomicReference<>(OLD);
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile boolean refuse;
    private EnvdClient client;

    @BeforeEach
    void start() throws IOException {
        envd = HttpServer.create(new InetSocketAddress(ADDRESS, EnvdClient.PORT), 0);
        envd.createContext("/init", exchange -> {
            String token = exchange.getRequestHeaders().getFirst("X-Access-Token");
            sent.add(token);
            String body = new String(exchange.getRequestBody().readAllBytes());
            if (refuse || !held.get().equals(token)) {
                exchange.sendResponseHeaders(401, -1);
            } else {
                if (body.contains(NEW)) {
                    held.set(NEW);
                }
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        envd.start();
        client = new EnvdClient(ADDRESS, OLD);
    }

    @AfterEach
    void stop() {
        client.close();
        envd.stop(0);
    }

    @Test
    void theGuestTakesTheNewTokenFromTheHolderOfTheOldAndLaterCallsSendIt() {
        client.rotateAccessToken(NEW);

        assertThat(held.get()).isEqualTo(NEW);
        assertThat(sent).containsExactly(OLD);
        client.setClock(java.time.Instant.now());
        assertThat(sent).containsExactly(OLD, NEW);
    }

    @Test
    void aRefusedRotationKeepsTheOldToken() {
        refuse = true;

        assertThatThrownBy(() -> client.rotateAccessToken(NEW)).isInstanceOf(GuestException.class);

        refuse = false;
        client.setClock(java.time.Instant.now());
        assertThat(sent).containsExactly(OLD, OLD);
        assertThat(held.get()).isEqualTo(OLD);
    }
}
