package io.wrenn.controlplane.host;

import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * HTTP into sandboxes, through each host agent's traffic listener: the control plane cannot
 * reach another host's namespaces, so every request goes to the agent that runs the sandbox,
 * which forwards it to the port inside. The listener's port is asked of the agent once
 * ({@code GetHostInfo.traffic_port}) and kept; a failed call forgets it, so an agent restarted
 * on a new port is found again.
 */
public final class HostTraffic implements AutoCloseable {

    private final HostAgents agents;
    private final String secret;
    private final Map<UUID, Integer> ports = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    public HostTraffic(HostAgents agents, String secret) {
        this.agents = agents;
        this.secret = secret;
    }

    /**
     * A request to {@code port} of {@code sandboxId} on {@code host}, at {@code pathAndQuery}
     * (raw, starting with '/'); the caller adds method, body and the headers it forwards.
     */
    public HttpRequest.Builder request(Host host, UUID sandboxId, int port, String pathAndQuery) {
        String hostName = host.address().substring(0, host.address().lastIndexOf(':'));
        return HttpRequest.newBuilder(URI.create("http://" + hostName + ":" + trafficPort(host) + pathAndQuery))
                .header(TrafficHeaders.AGENT_SECRET, secret)
                .header(TrafficHeaders.SANDBOX_ID, sandboxId.toString())
                .header(TrafficHeaders.SANDBOX_PORT, Integer.toString(port));
    }

    /** Sends a request made by {@link #request}; the body streams as it arrives. */
    public HttpResponse<InputStream> send(Host host, HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            ports.remove(host.id());
            throw e;
        }
    }

    private int trafficPort(Host host) {
        Integer known = ports.get(host.id());
        if (known != null) {
            return known;
        }
        try {
            int port = agents.stub(host, Duration.ofSeconds(10)).getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTrafficPort();
            if (port == 0) {
                throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host does not route traffic");
            }
            ports.put(host.id(), port);
            return port;
        } catch (StatusException e) {
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host does not answer");
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
