package io.wrenn.controlplane.host;

import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import io.wrenn.hostagent.protocol.HttpHead;
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
    private final Map<UUID, Ports> ports = new ConcurrentHashMap<>();
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
        return HttpRequest.newBuilder(URI.create("http://" + hostName(host) + ":" + ports(host).traffic() + pathAndQuery))
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

    /**
     * A connection to the agent's traffic tunnel with the head of an upgrade request for
     * {@code port} of {@code sandboxId} written: the agent passes it on and then relays bytes.
     *
     * @param head the request line and the end-to-end headers (with {@code Upgrade}); the
     *             {@code Wrenn-*} headers naming the target are added here
     */
    public Socket openTunnel(Host host, UUID sandboxId, int port, HttpHead head) throws IOException {
        int tunnelPort = ports(host).tunnel();
        if (tunnelPort == 0) {
            throw new ApiException(ErrorCode.HOST_ERROR, "the sandbox's host cannot pass on a protocol upgrade");
        }
        java.util.List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(head.headers());
        headers.add(Map.entry(TrafficHeaders.AGENT_SECRET, secret));
        headers.add(Map.entry(TrafficHeaders.SANDBOX_ID, sandboxId.toString()));
        headers.add(Map.entry(TrafficHeaders.SANDBOX_PORT, Integer.toString(port)));
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(hostName(host), tunnelPort), 10_000);
            socket.getOutputStream().write(new HttpHead(head.startLine(), headers).encode());
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            socket.close();
            ports.remove(host.id());
            throw e;
        }
    }

    private static String hostName(Host host) {
        return host.address().substring(0, host.address().lastIndexOf(':'));
    }

    /** The agent's traffic listener and tunnel ports (the tunnel's is 0 on an agent without one). */
    private record Ports(int traffic, int tunnel) {
    }

    private Ports ports(Host host) {
        Ports known = ports.get(host.id());
        if (known != null) {
            return known;
        }
        try {
            var info = agents.stub(host, Duration.ofSeconds(10)).getHostInfo(GetHostInfoRequest.getDefaultInstance());
            if (info.getTrafficPort() == 0) {
                throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host does not route traffic");
            }
            Ports found = new Ports(info.getTrafficPort(), info.getTrafficTunnelPort());
            ports.put(host.id(), found);
            return found;
        } catch (StatusException e) {
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host does not answer");
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
