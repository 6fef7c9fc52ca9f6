package io.wrenn.hostagent.traffic;

import io.wrenn.hostagent.protocol.HttpHead;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxException;
import io.wrenn.hostagent.sandbox.SandboxManager;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host agent's traffic tunnel: for requests that switch protocols (WebSockets), which the
 * traffic listener's HTTP server cannot pass on. The control plane connects, writes a request
 * head carrying the same {@code Wrenn-*} headers as on the listener plus {@code Upgrade}; the
 * tunnel checks them, connects to the port in the sandbox over the sandbox's current guest
 * connection (so {@code abortStreams} of a going VM breaks it), writes the head without the
 * {@code Wrenn-*} headers, and from then on copies bytes both ways unchanged: the sandbox's
 * {@code 101} answer and every frame after it. The tunnel's own refusals are HTTP answers
 * carrying {@link TrafficHeaders#ERROR}, as on the listener.
 */
public final class TrafficTunnel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficTunnel.class);
    /** How long the control plane may take to send the head: it sends it at once. */
    private static final int HEAD_TIMEOUT_MS = 10_000;
    private static final int BUFFER = 16 * 1024;

    private final SandboxManager sandboxes;
    private final byte[] secret;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public TrafficTunnel(String bindHost, int port, String sharedSecret, SandboxManager sandboxes) {
        this.sandboxes = sandboxes;
        this.secret = sharedSecret.getBytes(StandardCharsets.UTF_8);
        try {
            server = new ServerSocket(port, 256, InetAddress.getByName(bindHost));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindHost + ":" + port, e);
        }
    }

    public TrafficTunnel start() {
        Thread.ofPlatform().name("wrenn-traffic-tunnel").daemon().start(this::accept);
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().name("wrenn-tunnel").start(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("the traffic tunnel stopped accepting: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        open.add(client);
        Socket guest = null;
        try (client) {
            client.setSoTimeout(HEAD_TIMEOUT_MS);
            InputStream fromClient = new BufferedInputStream(client.getInputStream(), BUFFER);
            OutputStream toClient = client.getOutputStream();
            HttpHead head;
            try {
                head = HttpHead.read(fromClient);
            } catch (HttpHead.MalformedHead e) {
                reply(toClient, 400, "invalid_request", e.getMessage());
                return;
            }
            String presented = head.first(TrafficHeaders.AGENT_SECRET).orElse(null);
            if (presented == null || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
                reply(toClient, 401, "unauthorized", "missing or wrong agent secret");
                return;
            }
            int port = TrafficListener.port(head.first(TrafficHeaders.SANDBOX_PORT).orElse(null));
            if (port < 0 || !head.isUpgrade() || head.count("Upgrade") != 1) {
                reply(toClient, 400, "invalid_request", "a tunnel needs Wrenn-Sandbox-Port 1-65535 and one Upgrade header");
                return;
            }
            Sandbox sandbox;
            try {
                sandbox = sandboxes.running(head.first(TrafficHeaders.SANDBOX_ID).orElse(""));
            } catch (SandboxException e) {
                SandboxRefusal refusal = SandboxRefusal.of(e);
                reply(toClient, refusal.status(), refusal.code(), e.getMessage());
                return;
            }
            try {
                guest = sandbox.guest().openTunnel(port);
            } catch (IOException e) {
                LOG.debug("tunnel to sandbox {} port {}: {}", sandbox.id(), port, e.toString());
                reply(toClient, 502, "port_not_open", "nothing answered on port " + port + " in the sandbox");
                return;
            }
            open.add(guest);
            guest.getOutputStream().write(forGuest(head, guest.getInetAddress().getHostAddress() + ":" + port).encode());
            guest.getOutputStream().flush();
            client.setSoTimeout(0);
            relay(fromClient, client, guest);
        } catch (IOException e) {
            LOG.debug("traffic tunnel: {}", e.toString());
        } finally {
            open.remove(client);
            if (guest != null) {
                open.remove(guest);
                closeQuietly(guest);
            }
        }
    }

    /**
     * The head the sandbox's server gets: Wrenn's headers dropped, {@code Host} the mask the
     * control plane sent or the address connected to, and the upgrade asked for.
     */
    private static HttpHead forGuest(HttpHead head, String address) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Host", head.first(TrafficHeaders.REQUEST_HOST).filter(RequestHost::valid).orElse(address)));
        for (Map.Entry<String, String> header : head.headers()) {
            if (TrafficHeaders.forwardable(header.getKey())) {
                headers.add(header);
            }
        }
        headers.add(Map.entry("Connection", "Upgrade"));
        headers.add(Map.entry("Upgrade", head.first("Upgrade").orElseThrow()));
        return new HttpHead(head.startLine(), headers);
    }

    /** Copies both ways until both ends are done; a direction that ends half-closes the other side. */
    private static void relay(InputStream fromClient, Socket client, Socket guest) throws IOException {
        Thread up = Thread.ofVirtual().name("wrenn-tunnel-up").start(() -> {
            try {
                TrafficListener.copy(fromClient, guest.getOutputStream());
                guest.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(guest);
            }
        });
        try {
            TrafficListener.copy(guest.getInputStream(), client.getOutputStream());
            client.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(client);
        }
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(OutputStream out, int status, String code, String message) throws IOException {
        byte[] body = ("{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + code + "\r\n" + TrafficHeaders.ERROR + ": " + code
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(TrafficTunnel::closeQuietly);
    }
}
