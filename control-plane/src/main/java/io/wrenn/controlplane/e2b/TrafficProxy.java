package io.wrenn.controlplane.e2b;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.ApiKeyStore;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostTraffic;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.hostagent.protocol.TrafficHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.wrenn.controlplane.network.SandboxNetworks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /e2b/sandbox/**}, E2B's sandbox URL: each request names its sandbox and port in the
 * {@code E2b-Sandbox-Id} and {@code E2b-Sandbox-Port} headers and is forwarded, streamed both
 * ways, through the sandbox's host agent to that port inside the sandbox. With a sandbox domain
 * configured, a request to {@code {port}-{sandboxId}.<domain>} (any path) goes the same way.
 *
 * <p>A port of the user's own (not envd's) answers without credentials while the sandbox allows
 * public traffic (E2B's default), else with its traffic token ({@code e2b-traffic-access-token}).
 *
 * <p>Access: the team's API key ({@code X-API-Key}; another team's key finds nothing: 404), or
 * the sandbox's envd access token ({@code X-Access-Token}; missing or wrong: 401, the same answer
 * as for a sandbox that does not exist). The key never goes further; on envd's port a key
 * caller's request gets the real access token put in. The token is not forwarded to other ports
 * (it is envd's secret, not the user's server's). {@code E2b-*} and {@code Wrenn-*} headers
 * stay here too.
 */
public final class TrafficProxy {

    public static final String PREFIX = "/e2b/sandbox";
    public static final int ENVD_PORT = 49983;
    private static final Logger log = LoggerFactory.getLogger(TrafficProxy.class);
    private static final String SANDBOX_ID = "E2b-Sandbox-Id";
    private static final String SANDBOX_PORT = "E2b-Sandbox-Port";
    private static final String ACCESS_TOKEN = "X-Access-Token";
    /** Request headers that are for this proxy only. */
    private static final Set<String> CONSUMED = Set.of("x-api-key", "x-access-token", "e2b-sandbox-id", "e2b-sandbox-port",
            TrafficToken.HEADER);
    /** Long streams (a silent command, a long poll) must outlive Jetty's default 30 s idle limit. */
    private static final Duration STREAM_IDLE = Duration.ofMinutes(10);
    private static final int BUFFER = 64 * 1024;

    private final SandboxService sandboxes;
    private final ApiKeyStore keys;
    private final HostTraffic traffic;
    private final SandboxNetworks networks;
    private final SignedUrlLifetime signedUrlLifetime;
    /** {@code {port}-{sandboxId}.<domain>}, or null when no sandbox domain is configured. */
    private final Pattern sandboxHost;
    private final java.util.Map<java.util.UUID, Object> waking = new java.util.concurrent.ConcurrentHashMap<>();
    private final OpenTraffic open = new OpenTraffic();

    public TrafficProxy(SandboxService sandboxes, SandboxNetworks networks, ApiKeyStore keys, HostTraffic traffic,
            String sandboxDomain, SignedUrlLifetime signedUrlLifetime) {
        this.sandboxes = sandboxes;
        this.signedUrlLifetime = signedUrlLifetime;
        this.networks = networks;
        this.keys = keys;
        this.traffic = traffic;
        this.sandboxHost = sandboxDomain == null ? null : Pattern.compile(
                "(\\d{1,5})-(sb-[0-9a-z]{25})\\." + Pattern.quote(sandboxDomain.toLowerCase(Locale.ROOT)) + "(:\\d{1,5})?");
    }

    /** Ends the streams and tunnels let in by the sandbox's old token (it was just replaced). */
    public void tokenReplaced(java.util.UUID sandboxId) {
        open.tokenReplaced(sandboxId);
    }

    /** Ends the streams and tunnels the key let in (it was just revoked). */
    public void keyRevoked(java.util.UUID apiKeyId) {
        open.keyRevoked(apiKeyId);
    }

    /** Registers an open stream or tunnel to {@code target} until the handle is closed. */
    AutoCloseable opened(Target target, java.io.Closeable end) {
        return open.register(new OpenTraffic.Opened(target.sandbox().id(), target.apiKeyId(), target.byToken(), end));
    }

    /**
     * A request whose Host is {@code {port}-{sandboxId}.<domain>} goes to that port of that
     * sandbox, path and all, and no further handler runs; any other request is left alone.
     */
    public void routeByHost(Context ctx) throws IOException, InterruptedException {
        String hostHeader = ctx.header("Host");
        Matcher m = hostHeader == null ? null : sandboxHost.matcher(hostHeader.toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            return;
        }
        ctx.skipRemainingHandlers();
        String query = ctx.req().getQueryString();
        handle(ctx, m.group(2), port(m.group(1)), ctx.req().getRequestURI() + (query == null ? "" : "?" + query), false);
    }

    /**
     * Forwards one request. Every answer the traffic path makes itself (here or at the host agent)
     * is an {@link ApiException} with its {@link ErrorCode} and carries {@link TrafficHeaders#ERROR}:
     * a client tells it from its own server's answer, which can never carry that header.
     */
    public void handle(Context ctx) throws IOException, InterruptedException {
        String sandboxId = ctx.header(SANDBOX_ID);
        if (sandboxId == null || sandboxId.isBlank()) {
            throw ApiException.invalid("the E2b-Sandbox-Id header is required");
        }
        String raw = ctx.req().getRequestURI().substring(PREFIX.length());
        String query = ctx.req().getQueryString();
        handle(ctx, sandboxId, port(ctx.header(SANDBOX_PORT)), (raw.isEmpty() ? "/" : raw) + (query == null ? "" : "?" + query),
                true);
    }

    /**
     * A signed {@code /files} URL as the E2B SDKs make it ({@code downloadUrl}, {@code uploadUrl}):
     * at the root of the sandbox URL, naming no sandbox. The sandbox is the one whose access token
     * made the signature; envd then checks it (and its expiry) as it does for any signed URL. A
     * signature no sandbox made is 401, as envd answers a wrong one.
     */
    public void handleSignedFile(Context ctx) throws IOException, InterruptedException {
        String signature = ctx.queryParam("signature");
        if (signature == null || signature.isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "a /files URL needs a signature (signature, signature_expiration)");
        }
        // Before the lookup, which signs with every live token: a refused URL costs nothing more.
        signedUrlLifetime.check(ctx.queryParam("signature_expiration"), java.time.Instant.now());
        String operation = ctx.method().name().equals("GET") ? "read" : "write";
        String path = ctx.queryParam("path") == null ? "" : ctx.queryParam("path");
        String username = ctx.queryParam("username") == null ? "" : ctx.queryParam("username");
        Sandbox sandbox = sandboxes.findBySignature(signature, path, operation, username,
                java.util.Optional.ofNullable(ctx.queryParam("signature_expiration")))
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "invalid signature"));
        String query = ctx.req().getQueryString();
        // The control plane's own origin: nothing the sandbox answers may set its cookies.
        handle(ctx, WireId.SANDBOX.encode(sandbox.id()), ENVD_PORT, "/files" + (query == null ? "" : "?" + query), true);
    }

    /**
     * @param ownOrigin the request came to the control plane's own origin ({@code /e2b/sandbox/...}),
     *                  not to the sandbox's host name: its cookies and credentials are the control
     *                  plane's, never the sandbox's, and the sandbox may set none there
     */
    private void handle(Context ctx, String sandboxId, int port, String pathAndQuery, boolean ownOrigin)
            throws IOException, InterruptedException {
        try {
            forward(ctx, sandboxId, port, pathAndQuery, ownOrigin);
        } catch (ApiException e) {
            if (!ctx.res().isCommitted()) {
                ctx.header(TrafficHeaders.ERROR, e.code().code());
            }
            throw e;
        }
    }

    private void forward(Context ctx, String sandboxId, int port, String pathAndQuery, boolean ownOrigin)
            throws IOException, InterruptedException {
        boolean signedFileUrl = isSignedFileUrl(pathAndQuery, ctx);
        if (signedFileUrl) {
            signedUrlLifetime.check(ctx.queryParam("signature_expiration"), java.time.Instant.now());
        }
        Target target = authorize(ctx::header, signedFileUrl, sandboxId, port);
        Host host = hostOf(target);

        HttpRequest.Builder request = traffic.request(host, target.sandbox().id(), port, pathAndQuery)
                .method(ctx.method().name(), body(ctx));
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            if (!forwardable(name) || (ownOrigin && controlPlaneCredential(name, port))) {
                continue;
            }
            for (String value : Collections.list(ctx.req().getHeaders(name))) {
                try {
                    request.header(name, value);
                } catch (IllegalArgumentException e) {
                    // A header the JDK client sets itself (Date, Via, ...).
                }
            }
        }
        if (port == ENVD_PORT && target.token() != null) {
            request.setHeader(ACCESS_TOKEN, target.token());
        }
        requestHost(target, port).ifPresent(masked -> request.setHeader(TrafficHeaders.REQUEST_HOST, masked));
        idleTimeout(ctx);
        HttpResponse<InputStream> response;
        try {
            response = traffic.send(host, request.build());
        } catch (IOException e) {
            log.debug("traffic to sandbox {} port {} failed: {}", target.sandbox().id(), port, e.toString());
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host did not answer");
        }
        if (response.headers().firstValue(TrafficHeaders.ERROR).isPresent()) {
            throw agentAnswer(response, port);
        }
        InputStream body = response.body();
        try (InputStream in = body; AutoCloseable registered = opened(target, () -> endExchange(ctx, body))) {
            ctx.res().setStatus(response.statusCode());
            response.headers().map().forEach((name, values) -> {
                if (TrafficHeaders.forwardable(name) && !values.isEmpty() && !(ownOrigin && setsOriginState(name))) {
                    // set, not add: Javalin has already put its default Content-Type in.
                    ctx.res().setHeader(name, values.getFirst());
                    values.stream().skip(1).forEach(v -> ctx.res().addHeader(name, v));
                }
            });
            response.headers().firstValueAsLong("content-length").ifPresent(ctx.res()::setContentLengthLong);
            // Written straight to the servlet response, flushed per read: a Connect stream's
            // messages must not wait for a buffer to fill.
            OutputStream out = ctx.res().getOutputStream();
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Ends an exchange from outside (its credential ended): the caller's connection is closed, so
     * it receives nothing more, and the sandbox's stream, so the copying stops.
     */
    private static void endExchange(Context ctx, InputStream fromSandbox) {
        try {
            org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req())
                    .getConnectionMetaData().getConnection().getEndPoint().close();
        } catch (RuntimeException e) {
            log.debug("could not close the caller's connection: {}", e.toString());
        }
        try {
            fromSandbox.close();
        } catch (IOException ignored) {
            // the stream is broken either way
        }
    }

    /** The host agent's own answer (marked), as the error the caller gets. */
    private static ApiException agentAnswer(HttpResponse<InputStream> response, int port) {
        String code = response.headers().firstValue(TrafficHeaders.ERROR).orElse("");
        try (InputStream in = response.body()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // only drained so the connection can be reused
        }
        return agentRefusal(code, port);
    }

    /** The host agent's refusal of traffic (its code in {@link TrafficHeaders#ERROR}), as the caller's error. */
    static ApiException agentRefusal(String code, int port) {
        return switch (code) {
            case "port_not_open" -> new ApiException(ErrorCode.PORT_NOT_OPEN, "nothing answered on port " + port + " in the sandbox");
            // Gone or paused between our look-up and the host's: as for a sandbox we knew was gone.
            case "sandbox_not_found", "invalid_state" -> new ApiException(ErrorCode.HOST_ERROR, "the sandbox is not running");
            case "disk_full" -> new ApiException(ErrorCode.DISK_FULL,
                    "the host's disk is full: the sandbox is stopped until there is room again (nothing it wrote is lost)");
            default -> {
                log.warn("the host agent refused traffic with a code this control plane does not know: {}", code);
                yield new ApiException(ErrorCode.HOST_ERROR, "the sandbox's host refused the request");
            }
        };
    }

    /**
     * A paused sandbox created with E2B's {@code autoResume} is resumed by the first request that
     * reaches it; requests arriving meanwhile wait for that resume rather than start their own.
     */
    private Sandbox wakeIfAutoResume(Sandbox sandbox) {
        // A sandbox paused without its memory is resumed by connect only (its processes are gone; as E2B).
        if (sandbox.status() != SandboxStatus.PAUSED || sandbox.pausedWithoutMemory() || !sandboxes.autoResume(sandbox)) {
            return sandbox;
        }
        synchronized (waking.computeIfAbsent(sandbox.id(), id -> new Object())) {
            try {
                Sandbox now = sandboxes.reload(sandbox);
                if (now.status() != SandboxStatus.PAUSED) {
                    return now;
                }
                log.info("traffic resumes paused sandbox {}", sandbox.id());
                // The token is kept: its holders have no answer to read a new one from.
                return sandboxes.resume(sandbox.teamId(), WireId.SANDBOX.encode(sandbox.id()), false, false);
            } finally {
                waking.remove(sandbox.id());
            }
        }
    }

    /**
     * Who may reach the sandbox, and the token to put in for a key caller (null: keep the caller's).
     * A port of the user's own (not envd's) answers anyone when the sandbox allows public traffic,
     * else the holder of its traffic token (or of its access token); the team's key works too but
     * is never needed.
     */
    Target authorize(java.util.function.UnaryOperator<String> header, boolean signedFileUrl, String sandboxId, int port) {
        String key = header.apply(Authenticator.API_KEY_HEADER);
        if (key == null && port != ENVD_PORT && header.apply(ACCESS_TOKEN) == null) {
            Sandbox sandbox = sandboxes.findAnyTeam(sandboxId).orElse(null);
            if (sandbox != null && (networks.policy(sandbox).allowPublicTraffic()
                    || TrafficToken.matches(sandboxes.accessToken(sandbox), header.apply(TrafficToken.HEADER)))) {
                boolean byToken = !networks.policy(sandbox).allowPublicTraffic();
                return new Target(sandbox, null, null, byToken);
            }
            throw new ApiException(ErrorCode.UNAUTHORIZED, "send the sandbox's traffic token (" + TrafficToken.HEADER
                    + ") or the team's API key (X-API-Key)");
        }
        if (key != null) {
            Caller caller = keys.findByKey(key)
                    .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "invalid API key"));
            Sandbox sandbox = sandboxes.get(caller.requireTeam(), sandboxId);
            return new Target(sandbox, sandboxes.accessToken(sandbox), caller.apiKeyId(), false);
        }
        String presented = header.apply(ACCESS_TOKEN);
        Sandbox sandbox = sandboxes.findAnyTeam(sandboxId).orElse(null);
        String expected = sandbox == null ? null : sandboxes.accessToken(sandbox);
        if (expected != null && presented != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            return new Target(sandbox, port == ENVD_PORT ? presented : null, null, true);
        }
        if (expected != null && presented == null && port == ENVD_PORT && signedFileUrl) {
            // A signed /files URL carries proof of the token in its signature; envd checks it.
            return new Target(sandbox, null, null, true);
        }
        throw new ApiException(ErrorCode.UNAUTHORIZED, "send the sandbox's access token (X-Access-Token) or the team's API key (X-API-Key)");
    }

    /** The running sandbox's host, a paused sandbox with {@code autoResume} resumed first. */
    Host hostOf(Target target) {
        Sandbox sandbox = wakeIfAutoResume(target.sandbox());
        // 502 as E2B's own proxy answers for a sandbox that is gone: its SDKs read it as "not running".
        return sandboxes.hostOf(sandbox)
                .orElseThrow(() -> new ApiException(ErrorCode.HOST_ERROR, "the sandbox is not running"));
    }

    /** The Host header the sandbox's server is to see: its {@code maskRequestHost} with the port put in. */
    java.util.Optional<String> requestHost(Target target, int port) {
        return java.util.Optional.ofNullable(networks.policy(target.sandbox()).maskRequestHost())
                .map(mask -> mask.replace("${PORT}", Integer.toString(port)));
    }

    private static boolean isSignedFileUrl(String pathAndQuery, Context ctx) {
        return (pathAndQuery.equals("/files") || pathAndQuery.startsWith("/files?")) && ctx.queryParam("signature") != null;
    }

    /**
     * A header that carries the control plane's own credentials on its origin: cookies, and
     * {@code Authorization} except to envd (which reads the user from E2B's {@code Basic user:}).
     */
    private static boolean controlPlaneCredential(String name, int port) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("cookie") || (lower.equals("authorization") && port != ENVD_PORT);
    }

    /** An answer header by which a sandbox would set state on the control plane's origin: cookies, CORS grants. */
    private static boolean setsOriginState(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("set-cookie") || lower.equals("set-cookie2") || lower.startsWith("access-control-");
    }

    private static boolean forwardable(String name) {
        return TrafficHeaders.forwardable(name) && !CONSUMED.contains(name.toLowerCase(Locale.ROOT));
    }

    private static HttpRequest.BodyPublisher body(Context ctx) throws IOException {
        long length = ctx.req().getContentLengthLong();
        boolean chunked = ctx.header("Transfer-Encoding") != null;
        if (!chunked && length <= 0) {
            return HttpRequest.BodyPublishers.noBody();
        }
        InputStream in = ctx.req().getInputStream();
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> in);
        return chunked ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, length);
    }

    private static void idleTimeout(Context ctx) {
        try {
            org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req())
                    .getConnectionMetaData().getConnection().getEndPoint().setIdleTimeout(STREAM_IDLE.toMillis());
        } catch (RuntimeException e) {
            log.debug("could not lengthen the idle timeout: {}", e.toString());
        }
    }

    private static int port(String value) {
        try {
            int port = value == null ? -1 : Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("the E2b-Sandbox-Port header must be a port from 1 to 65535");
    }

    /** Where a request goes, read from its headers or its Host; null when it is not for a sandbox. */
    record Route(String sandboxId, int port, String pathAndQuery, boolean ownOrigin) {
    }

    /**
     * The sandbox route of a request to {@code /e2b/sandbox/**} or to {@code {port}-{id}.<domain>};
     * null for any other request.
     */
    Route route(jakarta.servlet.http.HttpServletRequest request) {
        String query = request.getQueryString() == null ? "" : "?" + request.getQueryString();
        String hostHeader = request.getHeader("Host");
        Matcher m = hostHeader == null || sandboxHost == null ? null : sandboxHost.matcher(hostHeader.toLowerCase(Locale.ROOT));
        if (m != null && m.matches()) {
            return new Route(m.group(2), port(m.group(1)), request.getRequestURI() + query, false);
        }
        String uri = request.getRequestURI();
        if (!uri.equals(PREFIX) && !uri.startsWith(PREFIX + "/")) {
            return null;
        }
        String sandboxId = request.getHeader(SANDBOX_ID);
        if (sandboxId == null || sandboxId.isBlank()) {
            throw ApiException.invalid("the E2b-Sandbox-Id header is required");
        }
        String raw = uri.substring(PREFIX.length());
        return new Route(sandboxId, port(request.getHeader(SANDBOX_PORT)), (raw.isEmpty() ? "/" : raw) + query, true);
    }

    /** Whether a request header may go on to the sandbox (see {@link #handle(Context)}). */
    static boolean forwardable(String name, int port, boolean ownOrigin) {
        return forwardable(name) && !(ownOrigin && controlPlaneCredential(name, port));
    }

    /** The access token to put in for envd (null: keep the caller's). */
    static String envdToken(Target target, int port) {
        return port == ENVD_PORT ? target.token() : null;
    }

    static boolean setsStateOnOwnOrigin(String name) {
        return setsOriginState(name);
    }

    /**
     * @param token    the access token to put in for envd (null: keep the caller's)
     * @param apiKeyId the key the caller was let in by, or null
     * @param byToken  let in by the sandbox's access or traffic token: ended when that token is replaced
     */
    record Target(Sandbox sandbox, String token, java.util.UUID apiKeyId, boolean byToken) {
    }
}
