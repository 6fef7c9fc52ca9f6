package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.hostagent.guest.GuestConnector;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import io.wrenn.hostagent.traffic.TrafficListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traffic listener's gate, without a VM (forwarding itself is covered end to end by
 * system-tests E2bTrafficTest and E2bSdkTest). Lives in this package for the fakes.
 */
class TrafficListenerTest {

    @TempDir
    Path home;
    private TrafficListener listener;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        Layout layout = Layout.of(home, home.resolve("images"));
        SandboxManager manager = new SandboxManager(layout, new Fakes.Network(), new Fakes.Disks(), new Fakes.Vms(),
                GuestConnector.envd(), new TemplateCatalog(layout, new Fakes.FailingCommands()),
                new BootPolicy(Duration.ofMillis(300), 1), Clock.systemUTC());
        listener = new TrafficListener("127.0.0.1", 0, "the-secret", manager).start();
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    @Test
    void refusesWithoutTheSecret() throws Exception {
        assertThat(send(request()).statusCode()).isEqualTo(401);
        assertThat(send(request().header(TrafficHeaders.AGENT_SECRET, "the-secreT")).statusCode()).isEqualTo(401);
    }

    @Test
    void unknownSandboxIs404AndABadPortIs400() throws Exception {
        HttpRequest.Builder known = request().header(TrafficHeaders.AGENT_SECRET, "the-secret")
                .header(TrafficHeaders.SANDBOX_ID, UUID.randomUUID().toString());
        assertThat(send(known.copy().header(TrafficHeaders.SANDBOX_PORT, "8000")).statusCode()).isEqualTo(404);
        assertThat(send(known.copy().header(TrafficHeaders.SANDBOX_PORT, "0")).statusCode()).isEqualTo(400);
        assertThat(send(known.copy()).statusCode()).isEqualTo(400);
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port() + "/anything"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
