package io.wrenn.hostagent.guest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The envd version the host takes from a guest ({@code X-Envd-Version} of {@code /health}),
 * against a stand-in guest on a loopback address of its own: a version is believed, anything else
 * (the guest is hostile) is not.
 */
class EnvdVersionReadTest {

    private static final String ADDRESS = "127.0.0.63";

    private HttpServer envd;
    private volatile String header;
    private EnvdClient client;

    @BeforeEach
    void start() throws IOException {
        envd = HttpServer.create(new InetSocketAddress(ADDRESS, EnvdClient.PORT), 0);
        envd.createContext("/health", exchange -> {
            try (exchange) {
                if (header != null) {
                    exchange.getResponseHeaders().set("X-Envd-Version", header);
                }
                exchange.sendResponseHeaders(204, -1);
            }
        });
        envd.start();
        client = new EnvdClient(ADDRESS, "token");
    }

    @AfterEach
    void stop() {
        client.close();
        envd.stop(0);
    }

    @Test
    void aVersionIsTakenAsTheGuestSaysIt() {
        header = "0.6.3";
        assertThat(client.envdVersion(Duration.ofSeconds(5))).isEqualTo("0.6.3");
        header = "1.12.0";
        assertThat(client.envdVersion(Duration.ofSeconds(5))).isEqualTo("1.12.0");
    }

    @Test
    void anythingElseIsNotBelieved() {
        for (String hostile : new String[] {"", "latest", "0.6.3; rm -rf /", "0.6", "99999.1.1", "0.6.3-rc1", " 0.6.3x", "x".repeat(4000)}) {
            header = hostile;
            assertThat(client.envdVersion(Duration.ofSeconds(5))).as(hostile).isNull();
        }
        header = null;
        assertThat(client.envdVersion(Duration.ofSeconds(5))).isNull();
    }

    @Test
    void aGuestThatIsNotThereHasNoVersion() {
        envd.stop(0);
        assertThat(client.envdVersion(Duration.ofMillis(500))).isNull();
    }
}
