package io.wrenn.hostagent.protocol;

import java.util.Locale;
import java.util.Set;

/**
 * The HTTP headers of the traffic path (control plane → host agent's traffic listener → a port
 * in the sandbox). The control plane names the target and proves itself with the {@code Wrenn-*}
 * headers below; the agent drops them, so no {@code Wrenn-*} header ever reaches a sandbox.
 */
public final class TrafficHeaders {

    /** The agent's shared secret, proving the request comes from the control plane. */
    public static final String AGENT_SECRET = "Wrenn-Agent-Secret";
    /** The sandbox (canonical UUID) the request is for. */
    public static final String SANDBOX_ID = "Wrenn-Sandbox-Id";
    /** The port inside the sandbox. */
    public static final String SANDBOX_PORT = "Wrenn-Sandbox-Port";
    /**
     * Set on an answer the traffic path made itself (the control plane or the host agent: no
     * sandbox, wrong state, nothing listening on the port, ...), to the error's code; never on an
     * answer from the sandbox, whose {@code Wrenn-*} headers are dropped. It tells a client a
     * failure of the path from a 502 or 404 its own server sent.
     */
    public static final String ERROR = "Wrenn-Traffic-Error";
    /**
     * The {@code Host} header the sandbox's server is to see (the sandbox's
     * {@code mask_request_host}, its port filled in); without it the server sees the address
     * the agent connected to.
     */
    public static final String REQUEST_HOST = "Wrenn-Request-Host";
    /** Every header with this prefix is Wrenn's own and is never forwarded into a sandbox (or out of one). */
    public static final String WRENN_PREFIX = "wrenn-";

    /**
     * Hop-by-hop headers (RFC 9110 §7.6.1) and those each hop's HTTP stack sets itself
     * (length, host): never copied from one hop to the next.
     */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
            "host", "content-length", "expect");

    private TrafficHeaders() {
    }

    /** Whether a header received on one hop may be copied to the next. */
    public static boolean forwardable(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !HOP_BY_HOP.contains(lower) && !lower.startsWith(WRENN_PREFIX);
    }
}
