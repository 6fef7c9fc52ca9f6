package io.wrenn.hostagent.guest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client of one guest's envd (E2B's envd protocol: Connect with the JSON codec over HTTP/1.1,
 * plus plain HTTP routes), reached at the sandbox namespace's address.
 *
 * <p>The user a call acts as goes in {@code Authorization: Basic base64("<user>:")}, as E2B's
 * SDKs send it; file routes take it as the {@code username} query parameter.
 */
public final class EnvdClient implements GuestConnection {

    public static final int PORT = 49983;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EnvdClient.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** How long a guest may take to answer a call (headers and body) that is not a stream. */
    static final Duration UNARY_TIMEOUT = Duration.ofSeconds(30);
    /** The most of an answer to {@code /init} or a file upload that is read: they carry no more than a short error. */
    static final int SHORT_ANSWER_MAX_BYTES = 16 * 1024;
    /** The most of a unary Connect answer that is read (a deep directory listing is the largest). */
    static final int UNARY_MAX_BYTES = 4 << 20;
    /** The most of an error body that is read. */
    static final int ERROR_MAX_BYTES = 64 * 1024;
    /** The longest error message of a guest passed on (to the caller, never to the host's log). */
    private static final int MESSAGE_MAX_CHARS = 300;

    private final HttpClient http = newHttpClient();
    private final String address;
    private final Duration answerTimeout;
    private final URI base;
    /** Volatile: {@link #rotateAccessToken} replaces it while other calls run. */
    private volatile String accessToken;
    private final java.util.Set<InputStream> openStreams = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<java.util.concurrent.CompletableFuture<?>> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<java.net.Socket> tunnels = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A connection with an HTTP client of its own (see {@link GuestConnection}).
     *
     * @param accessToken set on envd by {@link #init} and sent with every later call, so that
     *                    only this agent can drive the guest; null for none
     */
    public EnvdClient(String address, String accessToken) {
        this(address, accessToken, UNARY_TIMEOUT);
    }

    /** @param answerTimeout how long the guest may take to answer a call that is not a stream (tests shorten it) */
    EnvdClient(String address, String accessToken, Duration answerTimeout) {
        this.answerTimeout = answerTimeout;
        this.address = address;
        this.base = URI.create("http://" + address + ":" + PORT);
        this.accessToken = accessToken;
    }

    @Override
    public void close() {
        abortStreams();
        http.shutdownNow();
    }

    /**
     * A client suited to envd: HTTP/1.1 and virtual threads. The connect timeout is generous
     * because a TCG guest on a busy host answers a SYN slowly; health checks bound themselves
     * with their own (shorter) request timeout, which covers connecting too.
     */
    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** Whether envd answers {@code GET /health} with a 2xx within {@code timeout}. */
    @Override
    public boolean health(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/health")).timeout(timeout).GET().build();
        try {
            // The body is closed unread: a guest may answer /health without end.
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            closeQuietly(response.body());
            return response.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String envdVersion(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/health")).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            closeQuietly(response.body());
            String version = response.headers().firstValue("X-Envd-Version").orElse("");
            return response.statusCode() / 100 == 2 && ENVD_VERSION.matcher(version).matches() ? version : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * {@code POST /init} as the readiness probe of a booted or restored guest (one exchange instead of
     * {@code /health} then {@code /init}): false when envd did not answer within {@code timeout}
     * (not up yet; call again), true once it took the initialisation. Repeating it is harmless:
     * the clock only moves forward and the rest is set again. An attempt that timed out may have
     * reached envd all the same, which then holds this client's token: a 401 for the old one is
     * retried with it.
     */
    @Override
    public boolean tryInit(Map<String, String> envVars, String defaultUser, String defaultWorkdir, Instant now,
            byte[] entropy, String guestToken, Duration timeout) {
        try {
            HttpResponse<InputStream> response = http.send(
                    initRequest(envVars, defaultUser, defaultWorkdir, now, entropy, guestToken, timeout),
                    HttpResponse.BodyHandlers.ofInputStream());
            // Refused: an earlier attempt whose answer was lost may have given the guest its new
            // token already (also a guest that held none, a warm snapshot's): try with that one.
            if (response.statusCode() == 401 && !java.util.Objects.equals(guestToken, accessToken)) {
                closeQuietly(response.body());
                response = http.send(initRequest(envVars, defaultUser, defaultWorkdir, now, entropy, accessToken, timeout),
                        HttpResponse.BodyHandlers.ofInputStream());
            }
            requireInitialised(response, timeout);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "init: interrupted", e);
        }
    }

    @Override
    public void rotateAccessToken(String newToken) {
        ObjectNode body = JSON.createObjectNode().put("accessToken", newToken);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/init"))
                .timeout(answerTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        // send() puts in the token the guest holds now, which envd demands to replace it.
        requireInitialised(send(request, HttpResponse.BodyHandlers.ofInputStream(), "rotate token"), answerTimeout);
        accessToken = newToken;
    }

    /** {@code POST /init} with the timestamp alone (the rest stays as the guest holds it), with the token it holds now. */
    @Override
    public void setClock(Instant now) {
        ObjectNode body = JSON.createObjectNode().put("timestamp", DateTimeFormatter.ISO_INSTANT.format(now));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/init"))
                .timeout(answerTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (accessToken != null) {
            request.header("X-Access-Token", accessToken);
        }
        requireInitialised(send(request.build(), HttpResponse.BodyHandlers.ofInputStream(), "set clock"), answerTimeout);
    }

    private HttpRequest initRequest(Map<String, String> envVars, String defaultUser, String defaultWorkdir, Instant now,
            byte[] entropy, String guestToken, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.set("envVars", JSON.valueToTree(envVars));
        if (defaultUser != null && !defaultUser.isEmpty()) {
            body.put("defaultUser", defaultUser);
        }
        if (defaultWorkdir != null && !defaultWorkdir.isEmpty()) {
            body.put("defaultWorkdir", defaultWorkdir);
        }
        body.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(now));
        if (accessToken != null) {
            body.put("accessToken", accessToken);
        }
        if (entropy != null) {
            body.put("entropy", Base64.getEncoder().encodeToString(entropy));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/init"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (guestToken != null) {
            request.header("X-Access-Token", guestToken);
        }
        return request.build();
    }

    /**
     * Reads (within bounds) and drops the answer to {@code /init}: a guest may send anything, so
     * only its status is used and its body never reaches the host's log.
     */
    private void requireInitialised(HttpResponse<InputStream> response, Duration timeout) {
        if (response.statusCode() / 100 != 2) {
            closeQuietly(response.body());
            LOG.warn("envd at {} refused /init with status {}", base, response.statusCode());
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "the guest agent refused its initialisation");
        }
        BoundedRead.read(response.body(), SHORT_ANSWER_MAX_BYTES, timeout);
    }

    /** {@code GET /metrics}: the size of the guest's root filesystem, in bytes (0 when unknown). */
    @Override
    public long diskTotalBytes() {
        return Math.max(0, metrics(answerTimeout).path("disk_total").asLong(0));
    }

    /** The most of a {@code /metrics} answer that is read: a guest may answer anything. */
    static final int METRICS_MAX_BYTES = 16 * 1024;

    /**
     * {@code GET /metrics}: the guest's own figures as it sent them (unvalidated: a tenant is root
     * in its guest). The whole exchange, body included, is bounded by {@code timeout} and by
     * {@link #METRICS_MAX_BYTES}: a guest that answers slowly or without end only fails its own call.
     */
    @Override
    public JsonNode metrics(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/metrics")).timeout(timeout).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream(), "metrics");
        if (response.statusCode() != 200) {
            closeQuietly(response.body());
            throw GuestException.fromHttpStatus(response.statusCode(), "metrics");
        }
        byte[] body = BoundedRead.read(response.body(), METRICS_MAX_BYTES, Duration.ofNanos(deadline - System.nanoTime()));
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "metrics: unreadable answer from the guest agent", e);
        }
    }

    /** {@code process.Process/Start} of a one-shot process without stdin: its event stream. */
    @Override
    public ProcessStream start(StartSpec spec) {
        return processes().start(new GuestProcesses.Start(spec.cmd(), spec.args(), spec.envs(), spec.cwd(),
                spec.user(), null, null, false));
    }

    /** The process RPCs of this guest. */
    @Override
    public GuestProcesses processes() {
        return new GuestProcesses(this);
    }

    /** The filesystem RPCs of this guest. */
    @Override
    public GuestFilesystem filesystem() {
        return new GuestFilesystem(this);
    }

    /** A unary Connect call with the JSON codec, as {@code user}; returns the response message. */
    JsonNode unary(String method, Object message, String user, String what) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/" + method))
                .timeout(answerTimeout)
                .header("Content-Type", "application/json")
                .header("Connect-Protocol-Version", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(message)));
        withUser(request, user);
        long deadline = System.nanoTime() + answerTimeout.toNanos();
        HttpResponse<InputStream> response = send(request.build(), HttpResponse.BodyHandlers.ofInputStream(), what);
        if (response.statusCode() != 200) {
            throw connectError(response, what);
        }
        byte[] body = BoundedRead.read(response.body(), UNARY_MAX_BYTES, Duration.ofNanos(deadline - System.nanoTime()));
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new GuestException(GuestException.Kind.UNAVAILABLE, what + ": unreadable answer from the guest agent", e);
        }
    }

    /**
     * A server-streaming Connect call with the JSON codec, as {@code user}: the open response
     * body, whose enveloped frames the caller reads at its own pace.
     */
    InputStream serverStream(String method, Object message, String user, String what) {
        // The timeout bounds the wait for the response headers only (envd sends them at once);
        // the frames that follow come at the process's pace, each bounded by ConnectEnvelope.MAX_PAYLOAD.
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/" + method))
                .timeout(answerTimeout)
                .header("Content-Type", "application/connect+json")
                .header("Connect-Protocol-Version", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ConnectEnvelope.encode(JSON.writeValueAsBytes(message))));
        withUser(request, user);
        HttpResponse<InputStream> response = send(request.build(), HttpResponse.BodyHandlers.ofInputStream(), what);
        if (response.statusCode() != 200) {
            throw connectError(response, what);
        }
        return tracked(response.body());
    }

    @Override
    public HttpResponse<InputStream> forward(int port, String pathAndQuery, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> exchange = http.sendAsync(
                request.uri(URI.create("http://" + address + ":" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        inFlight.add(exchange);
        try {
            HttpResponse<InputStream> response = exchange.get();
            InputStream body = tracked(response.body());
            return new ForwardedResponse(response, body);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new IOException("the sandbox went away", e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } finally {
            inFlight.remove(exchange);
        }
    }

    @Override
    public java.net.Socket openTunnel(int port) throws IOException {
        java.net.Socket socket = new java.net.Socket() {
            @Override
            public synchronized void close() throws IOException {
                tunnels.remove(this);
                super.close();
            }
        };
        tunnels.add(socket);
        try {
            socket.connect(new java.net.InetSocketAddress(address, port), 5_000);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public void abortStreams() {
        inFlight.forEach(exchange -> exchange.cancel(true));
        for (java.net.Socket tunnel : tunnels) {
            try {
                tunnel.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }
        for (InputStream stream : openStreams) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }
    }

    private InputStream tracked(InputStream body) {
        InputStream stream = new java.io.FilterInputStream(body) {
            @Override
            public void close() throws IOException {
                openStreams.remove(this);
                super.close();
            }
        };
        openStreams.add(stream);
        return stream;
    }

    /**
     * {@code POST /files} with a raw body: writes {@code body} to {@code path} as {@code user}.
     * The body is streamed; nothing is held in memory beyond the HTTP client's buffers.
     */
    @Override
    public void writeFile(String path, String user, Supplier<InputStream> body) {
        java.util.concurrent.CompletableFuture<Void> allSent = new java.util.concurrent.CompletableFuture<>();
        HttpRequest request = HttpRequest.newBuilder(filesUri(path, user))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new EndNotifyingStream(body.get(), allSent)))
                .build();
        // The upload lasts as long as the caller sends; once it has all been sent the guest has
        // answerTimeout to answer, then the exchange is cancelled.
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream(), "write file",
                allSent, answerTimeout);
        long deadline = System.nanoTime() + answerTimeout.toNanos();
        if (response.statusCode() / 100 != 2) {
            throw fileError(response.statusCode(), errorBody(response.body(), deadline), "write file");
        }
        BoundedRead.read(response.body(), SHORT_ANSWER_MAX_BYTES, Duration.ofNanos(deadline - System.nanoTime()));
    }

    /** A request body that completes {@code end} once it has been read to its end (or closed). */
    private static final class EndNotifyingStream extends java.io.FilterInputStream {
        private final java.util.concurrent.CompletableFuture<Void> end;

        EndNotifyingStream(InputStream in, java.util.concurrent.CompletableFuture<Void> end) {
            super(in);
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                end.complete(null);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n < 0) {
                end.complete(null);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            end.complete(null);
            super.close();
        }
    }

    /** A guest's error body as text, at most {@link #ERROR_MAX_BYTES} of it read before {@code deadline} (nanoTime); "" when it sends none in time. */
    private static String errorBody(InputStream body, long deadline) {
        try {
            byte[] bytes = BoundedRead.read(body, ERROR_MAX_BYTES, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (GuestException e) {
            return "";
        }
    }

    /**
     * {@code GET /files} of the bytes from {@code offset}, at most {@code length} of them
     * ({@code 0} = to the end). An offset at or past the end reads nothing.
     */
    @Override
    public Download readFile(String path, String user, long offset, long length) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(filesUri(path, user)).GET();
        if (offset > 0 || length > 0) {
            builder.header("Range", "bytes=" + offset + "-" + (length > 0 ? Long.toString(offset + length - 1) : ""));
        }
        HttpResponse<InputStream> response = send(builder.build(), HttpResponse.BodyHandlers.ofInputStream(), "read file");
        if (response.statusCode() == 416) {
            closeQuietly(response.body());
            return new Download(InputStream.nullInputStream(), OptionalLong.of(0));
        }
        if (response.statusCode() != 200 && response.statusCode() != 206) {
            throw fileError(response.statusCode(), errorBody(response.body(), System.nanoTime() + answerTimeout.toNanos()),
                    "read file");
        }
        return new Download(tracked(response.body()), response.headers().firstValueAsLong("Content-Length"));
    }

    /**
     * An error of a file route, with envd's own message when it sent one: it speaks of paths in the
     * guest, which the user chose, never of the host's.
     */
    static GuestException fileError(int status, String body, String what) {
        String message = "";
        try {
            message = JSON.readTree(body).path("message").asString("");
        } catch (RuntimeException e) {
            // not JSON: keep the generic message
        }
        if (message.isEmpty()) {
            return GuestException.fromHttpStatus(status, what);
        }
        message = shortened(message);
        GuestException.Kind kind = status == 400 && (message.contains("is a directory") || message.contains("not a regular file"))
                ? GuestException.Kind.FAILED_PRECONDITION
                : GuestException.fromHttpStatus(status, what).kind();
        return new GuestException(kind, what + ": " + message);
    }

    private URI filesUri(String path, String user) {
        StringBuilder query = new StringBuilder("/files?path=").append(URLEncoder.encode(path, StandardCharsets.UTF_8));
        if (user != null && !user.isEmpty()) {
            query.append("&username=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
        }
        return base.resolve(query.toString());
    }

    private static void withUser(HttpRequest.Builder request, String user) {
        if (user != null && !user.isEmpty()) {
            String token = Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + token);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        return send(request, handler, what, null, null);
    }

    /**
     * Sends {@code request}; when {@code sent} is given, the exchange is cancelled if no answer
     * came {@code afterSent} after it completed (the request body was all sent).
     */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what,
            java.util.concurrent.CompletableFuture<Void> sent, Duration afterSent) {
        if (accessToken != null) {
            request = HttpRequest.newBuilder(request, (name, value) -> true).header("X-Access-Token", accessToken).build();
        }
        // Sent asynchronously so that abortStreams() can cancel an exchange stuck on a dead guest.
        java.util.concurrent.CompletableFuture<HttpResponse<T>> exchange = http.sendAsync(request, handler);
        inFlight.add(exchange);
        if (sent != null) {
            sent.thenRun(() -> java.util.concurrent.CompletableFuture.delayedExecutor(
                    afterSent.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> exchange.cancel(true)));
        }
        try {
            return exchange.get();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            throw new GuestException(GuestException.Kind.UNAVAILABLE, what + ": the guest agent did not answer", e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new GuestException(GuestException.Kind.UNAVAILABLE, what + ": interrupted", e);
        } finally {
            inFlight.remove(exchange);
        }
    }

    /** Reads a Connect unary error body ({@code {"code":..., "message":...}}) into an exception. */
    private GuestException connectError(HttpResponse<InputStream> response, String what) {
        try {
            byte[] bytes = BoundedRead.read(response.body(), ERROR_MAX_BYTES, answerTimeout);
            JsonNode error = JSON.readTree(bytes);
            String code = error.path("code").asString("");
            String message = error.path("message").asString("");
            GuestException.Kind kind = code.isEmpty()
                    ? GuestException.fromHttpStatus(response.statusCode(), what).kind()
                    : GuestException.fromConnectCode(code);
            return new GuestException(kind, what + ": " + (message.isEmpty() ? "failed in the guest" : shortened(message)));
        } catch (RuntimeException e) {
            return GuestException.fromHttpStatus(response.statusCode(), what);
        }
    }

    /** A guest's response with its body tracked, so that {@link #abortStreams()} breaks it. */
    private record ForwardedResponse(HttpResponse<InputStream> response, InputStream body) implements HttpResponse<InputStream> {
        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpRequest request() {
            return response.request();
        }

        @Override
        public java.util.Optional<HttpResponse<InputStream>> previousResponse() {
            return response.previousResponse();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return response.sslSession();
        }

        @Override
        public URI uri() {
            return response.uri();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }

    /** Closes a body without reading it (a guest's body may never end). */
    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }

    /** A guest's message cut to {@link #MESSAGE_MAX_CHARS}, control characters replaced (it may reach a log line). */
    static String shortened(String message) {
        String cut = message.length() > MESSAGE_MAX_CHARS ? message.substring(0, MESSAGE_MAX_CHARS) + "..." : message;
        return cut.replaceAll("\\p{Cntrl}", " ");
    }

    static JsonNode readTree(byte[] payload) {
        return JSON.readTree(payload);
    }

    /** Decodes a Connect event frame payload of {@code process.Process/Start}; null for keepalives. */
    static ProcessEvent decodeEvent(byte[] payload) {
        JsonNode event = JSON.readTree(payload).path("event");
        if (event.has("start")) {
            return new ProcessEvent.Started(event.path("start").path("pid").asLong());
        }
        if (event.has("data")) {
            JsonNode data = event.path("data");
            if (data.has("stdout")) {
                return new ProcessEvent.Stdout(Base64.getMimeDecoder().decode(data.path("stdout").asString()));
            }
            if (data.has("stderr")) {
                return new ProcessEvent.Stderr(Base64.getMimeDecoder().decode(data.path("stderr").asString()));
            }
            if (data.has("pty")) {
                return new ProcessEvent.Pty(Base64.getMimeDecoder().decode(data.path("pty").asString()));
            }
            return null;
        }
        if (event.has("end")) {
            JsonNode end = event.path("end");
            String error = end.hasNonNull("error") ? end.path("error").asString() : null;
            return new ProcessEvent.Ended(end.path("exitCode").asInt(0), end.path("exited").asBoolean(false),
                    end.path("status").asString(""), error);
        }
        return null;
    }

    /** The end-of-stream frame's error, or null when the stream ended cleanly. */
    static GuestException decodeEndOfStream(byte[] payload) {
        if (payload.length == 0) {
            return null;
        }
        JsonNode error = JSON.readTree(payload).path("error");
        if (error.isMissingNode() || error.isNull()) {
            return null;
        }
        return new GuestException(GuestException.fromConnectCode(error.path("code").asString("")),
                error.path("message").asString("the process failed in the guest"));
    }
}
