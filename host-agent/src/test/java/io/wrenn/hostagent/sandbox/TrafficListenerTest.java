package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traffic listener's gate and its routing, with fake VMs and guests (forwarding to a real
 * guest is covered end to end by system-tests E2bTrafficTest, E2bSdkTest and SlotReuseTest).
 * Lives in this package for the fakes.
 */
class TrafficListenerTest {

    @TempDir
    Path home;
    private final Fakes.Guests guests = new Fakes.Guests();
    private final Fakes.Vms vms = new Fakes.Vms();
    private SandboxManager manager;
    private TrafficListener listener;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Layout layout = Layout.of(home, home.resolve("images"));
        Fakes.minimalTemplate(layout);
        manager = new SandboxManager(layout, new Fakes.Network(), new Fakes.Disks(), vms, new Fakes.Control(vms), guests,
                new TemplateCatalog(layout, new Fakes.FailingCommands()), new BootPolicy(Duration.ofSeconds(5), 1),
                Clock.systemUTC());
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
        HttpResponse<String> notFound = send(known.copy().header(TrafficHeaders.SANDBOX_PORT, "8000"));
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.headers().firstValue(TrafficHeaders.ERROR)).hasValue("sandbox_not_found");
        assertThat(send(known.copy().header(TrafficHeaders.SANDBOX_PORT, "0")).statusCode()).isEqualTo(400);
        assertThat(send(known.copy()).statusCode()).isEqualTo(400);
    }

    @Test
    void eachSandboxsTrafficGoesThroughItsOwnGuestConnection() throws Exception {
        String a = create();
        String b = create();

        assertThat(send(to(a, "/x?y=1")).body()).startsWith("guest 1 at ");
        assertThat(send(to(b, "/z")).body()).startsWith("guest 2 at ");
        assertThat(guests.opened.get(0).forwarded).containsExactly("8000/x?y=1");
        assertThat(send(to(a, "/y")).headers().firstValue(TrafficHeaders.ERROR)).as("the guest's answer is not marked").isEmpty();
        assertThat(guests.opened.get(1).forwarded).containsExactly("8000/z");
    }

    @Test
    void aRecreatedSandboxIsReachedOverANewConnectionAndTheOldOneIsClosed() throws Exception {
        String id = create();
        assertThat(send(to(id, "/before")).body()).startsWith("guest 1 ");

        manager.destroy(id);
        assertThat(guests.opened.getFirst().closed).isTrue();
        assertThat(send(to(id, "/gone")).statusCode()).isEqualTo(404);

        manager.create(spec(id));
        assertThat(send(to(id, "/after")).body()).startsWith("guest 2 ");
        assertThat(guests.opened.getFirst().forwarded).containsExactly("8000/before");
        assertThat(guests.opened.get(0).address).isNotEqualTo(guests.opened.get(1).address);
    }

    @Test
    void nothingListeningOnThePortIsTheListenersOwnMarked502() throws Exception {
        String id = create();
        guests.opened.getFirst().refusing = true;

        HttpResponse<String> response = send(to(id, "/"));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue(TrafficHeaders.ERROR)).hasValue("port_not_open");
        assertThat(response.body()).contains("\"code\":\"port_not_open\"").contains("8000");
    }

    private String create() {
        String id = UUID.randomUUID().toString();
        manager.create(spec(id));
        return id;
    }

    private static SandboxSpec spec(String id) {
        return new SandboxSpec(id, UUID.randomUUID().toString(), Layout.PLATFORM_TEAM, "minimal", 1, 256, 1024, 0, Map.of(), null, null);
    }

    private HttpRequest.Builder to(String sandbox, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port() + pathAndQuery))
                .header(TrafficHeaders.AGENT_SECRET, "the-secret")
                .header(TrafficHeaders.SANDBOX_ID, sandbox)
                .header(TrafficHeaders.SANDBOX_PORT, "8000");
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port() + "/anything"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
