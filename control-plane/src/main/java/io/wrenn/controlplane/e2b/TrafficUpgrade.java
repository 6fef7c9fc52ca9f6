package io.wrenn.controlplane.e2b;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostTraffic;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.ErrorBody;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.hostagent.protocol.HttpHead;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSockets (any {@code Upgrade}) on the traffic routes, {@code {port}-{id}.<domain>} and
 * {@code /e2b/sandbox/**}. The HTTP clients of the ordinary path cannot switch protocols, so
 * such a request is taken here, before the routes: the same access rules as
 * {@link TrafficProxy} (traffic token unless the sandbox allows public traffic; the team's key
 * and access token never forwarded; cookies and {@code Authorization} of the control plane's
 * origin kept back), then its head goes to the host agent's traffic tunnel. If the sandbox's
 * server answers {@code 101}, this connection switches too ({@link TunnelConnection}) and bytes pass
 * both ways unchanged until either side ends; any other answer is passed back as it came.
 */
public final class TrafficUpgrade implements Filter {

    private static final Logger log = LoggerFactory.getLogger(TrafficUpgrade.class);
    private static final int BUFFER = 16 * 1024;

    private final TrafficProxy proxy;
    private final HostTraffic traffic;

    public TrafficUpgrade(TrafficProxy proxy, HostTraffic traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!switchesProtocols(request)) {
            chain.doFilter(req, res);
            return;
        }
        TrafficProxy.Route route;
        try {
            route = proxy.route(request);
        } catch (ApiException e) {
            refuse(request, response, e);
            return;
        }
        if (route == null) {
            chain.doFilter(req, res);
            return;
        }
        try {
            upgrade(request, response, route);
        } catch (ApiException e) {
            refuse(request, response, e);
        }
    }

    /**
     * A GET asking for another protocol. {@code h2c} is left out: it is an offer the server may
     * decline (the JDK client makes it on every plain request), and the ordinary path declines it.
     */
    private static boolean switchesProtocols(HttpServletRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && request.getMethod().equals("GET")
                && !upgrade.strip().toLowerCase(Locale.ROOT).startsWith("h2c");
    }

    private void upgrade(HttpServletRequest request, HttpServletResponse response, TrafficProxy.Route route)
            throws IOException {
        TrafficProxy.Target target = proxy.authorize(request::getHeader, false, route.sandboxId(), route.port());
        Host host = proxy.hostOf(target);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            if (TrafficProxy.forwardable(name, route.port(), route.ownOrigin())) {
                for (String value : Collections.list(request.getHeaders(name))) {
                    headers.add(Map.entry(name, value));
                }
            }
        }
        String token = TrafficProxy.envdToken(target, route.port());
        if (token != null) {
            headers.removeIf(h -> h.getKey().equalsIgnoreCase("X-Access-Token"));
            headers.add(Map.entry("X-Access-Token", token));
        }
        proxy.requestHost(target, route.port()).ifPresent(masked -> headers.add(Map.entry(TrafficHeaders.REQUEST_HOST, masked)));
        headers.add(Map.entry("Connection", "Upgrade"));
        headers.add(Map.entry("Upgrade", request.getHeader("Upgrade")));
        HttpHead head = new HttpHead("GET " + route.pathAndQuery() + " HTTP/1.1", headers);

        Socket agent;
        HttpHead answer;
        InputStream fromAgent;
        try {
            agent = traffic.openTunnel(host, target.sandbox().id(), route.port(), head);
            fromAgent = new BufferedInputStream(agent.getInputStream(), BUFFER);
            agent.setSoTimeout(60_000);
            answer = HttpHead.read(fromAgent);
            agent.setSoTimeout(0);
        } catch (IOException e) {
            log.debug("tunnel to sandbox {} port {} failed: {}", target.sandbox().id(), route.port(), e.toString());
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host did not answer");
        }
        try {
            String error = answer.first(TrafficHeaders.ERROR).orElse(null);
            if (error != null) {
                throw TrafficProxy.agentRefusal(error, route.port());
            }
            if (answer.status() != 101) {
                passBack(answer, fromAgent, response, route);
                agent.close();
                return;
            }
            // Closing the sandbox's side of the tunnel ends it (its credential ended).
            AutoCloseable registered = proxy.opened(target, agent);
            Runnable forget = () -> {
                try {
                    registered.close();
                } catch (Exception ignored) {
                    // only forgets the tunnel
                }
            };
            try {
                switchProtocols(request, response, answer, agent, fromAgent, route.ownOrigin(), forget);
            } catch (RuntimeException e) {
                forget.run();
                throw e;
            }
        } catch (RuntimeException | IOException e) {
            agent.close();
            throw e;
        }
    }

    private static void copyHeaders(HttpHead answer, HttpServletResponse response, boolean ownOrigin) {
        for (Map.Entry<String, String> header : answer.headers()) {
            if (TrafficHeaders.forwardable(header.getKey()) && !header.getKey().equalsIgnoreCase("date")
                    && !header.getKey().equalsIgnoreCase("server")
                    && !(ownOrigin && TrafficProxy.setsStateOnOwnOrigin(header.getKey()))) {
                response.addHeader(header.getKey(), header.getValue());
            }
        }
    }

    /** The sandbox's server did not switch: its answer goes back whole, then this exchange ends. */
    private static void passBack(HttpHead answer, InputStream body, HttpServletResponse response, TrafficProxy.Route route)
            throws IOException {
        int status = answer.status();
        if (status < 200) {
            throw new ApiException(ErrorCode.HOST_ERROR, "the sandbox's server sent an answer that is not HTTP");
        }
        response.setStatus(status);
        copyHeaders(answer, response, route.ownOrigin());
        OutputStream out = response.getOutputStream();
        long length = answer.first("Content-Length").map(TrafficUpgrade::length).orElse(-1L);
        boolean chunked = answer.first("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false);
        if (status == 204 || status == 304) {
            return;
        }
        if (chunked) {
            ChunkedBody.copy(body, out);
        } else if (length >= 0) {
            response.setContentLengthLong(length);
            copyExactly(body, out, length);
        } else {
            body.transferTo(out);
        }
    }

    private static long length(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, ApiException e) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        ErrorCode code = e.code();
        Object body = request.getRequestURI().startsWith("/e2b")
                ? Map.of("code", code.httpStatus(), "message", e.getMessage())
                : ErrorBody.of(code, e.getMessage());
        byte[] json = Jsons.mapper().writeValueAsBytes(body);
        response.setStatus(code.httpStatus());
        response.setHeader(TrafficHeaders.ERROR, code.code());
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    /** Copies the {@code length} bytes of a body that said its length (the connection may stay open after them). */
    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new java.io.EOFException("the sandbox's answer ended before its Content-Length");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /**
     * Answers {@code 101} with the sandbox's headers and hands this connection's end point to a
     * {@link TunnelConnection} once the answer is out (Jetty's own switch, as its WebSocket
     * server uses: the servlet upgrade API would keep parsing HTTP on the connection).
     */
    static void switchProtocols(HttpServletRequest request, HttpServletResponse response, HttpHead answer, Socket agent,
            InputStream fromAgent, boolean ownOrigin, Runnable onClosed) {
        var core = org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(request);
        org.eclipse.jetty.io.EndPoint endPoint = core.getConnectionMetaData().getConnection().getEndPoint();
        response.setStatus(101);
        copyHeaders(answer, response, ownOrigin);
        response.setHeader("Upgrade", answer.first("Upgrade").orElse(request.getHeader("Upgrade")));
        response.setHeader("Connection", "Upgrade");
        core.setAttribute(org.eclipse.jetty.server.HttpStream.UPGRADE_CONNECTION_ATTRIBUTE,
                new TunnelConnection(endPoint, core.getConnectionMetaData().getConnector().getExecutor(), agent, fromAgent, onClosed));
    }
}
