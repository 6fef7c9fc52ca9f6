package io.wrenn.hostagent.qmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A QMP (QEMU Machine Protocol) client over a unix socket, with no library.
 *
 * <p>QMP is newline-delimited JSON. QEMU sends a greeting, expects {@code qmp_capabilities}, then
 * answers commands; asynchronous {@code {"event":...}} lines interleave with the answers. One
 * virtual thread reads every line: answers complete the future registered under their {@code id},
 * events go to the listener. Commands may therefore be sent from any thread.
 */
public final class QmpClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final SocketChannel channel;
    private final OutputStream out;
    private final BufferedReader in;
    private final Consumer<JsonNode> eventListener;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();

    private QmpClient(SocketChannel channel, Consumer<JsonNode> eventListener) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.eventListener = eventListener;
    }

    /**
     * Connects to QEMU's QMP socket, reads the greeting and negotiates capabilities. Retries the
     * connection until {@code timeout}, because a freshly started QEMU creates the socket a moment
     * after it starts.
     */
    public static QmpClient connect(Path socket, Duration timeout, Consumer<JsonNode> eventListener) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (true) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
                QmpClient client = new QmpClient(channel, eventListener == null ? e -> { } : eventListener);
                client.handshake(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L)));
                return client;
            } catch (IOException e) {
                last = e;
                closeQuietly(channel);
            }
            if (System.nanoTime() > deadline) {
                throw new QmpException("QMP socket did not accept a connection", last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpException("interrupted while connecting to QMP", e);
            }
        }
    }

    /** Connects with no event listener. */
    public static QmpClient connect(Path socket, Duration timeout) {
        return connect(socket, timeout, null);
    }

    private void handshake(Duration timeout) throws IOException {
        // The reader thread owns the socket from the start so that a silent QEMU cannot block us
        // in a read without a timeout: we wait for the greeting on a future instead.
        Thread.ofVirtual().name("qmp-reader").start(this::readLoop);
        try {
            greeting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            close();
            throw new IOException("no QMP greeting", e);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the QMP greeting", e);
        }
        execute("qmp_capabilities", null, timeout);
    }

    /**
     * Sends a command and waits for its answer.
     *
     * @return the {@code return} member of the answer
     * @throws QmpException on an error answer, a lost connection or a timeout
     */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) {
        CompletableFuture<JsonNode> answer = send(command, arguments);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QmpException("QMP " + command + " did not answer in " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof QmpException q ? q : new QmpException("QMP " + command + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted waiting for QMP " + command, e);
        }
    }

    /** Sends a command; the future completes with its {@code return} member or fails with {@link QmpException}. */
    public CompletableFuture<JsonNode> send(String command, Map<String, ?> arguments) {
        String id = "w" + nextId.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("execute", command).put("id", id);
        if (arguments != null && !arguments.isEmpty()) {
            message.set("arguments", JSON.valueToTree(arguments));
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        if (closed.isDone()) {
            pending.remove(id);
            answer.completeExceptionally(new QmpException("QMP connection is closed"));
            return answer;
        }
        byte[] line = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (out) {
                out.write(line);
                out.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            answer.completeExceptionally(new QmpException("QMP write failed", e));
        }
        return answer;
    }

    /** Completes when QEMU closes the connection (for example after {@code quit}). */
    public CompletableFuture<Void> closedFuture() {
        return closed;
    }

    private void readLoop() {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                dispatch(line);
            }
        } catch (IOException e) {
            LOG.debug("QMP read ended: {}", e.toString());
        } finally {
            greeting.completeExceptionally(new QmpException("QMP connection closed before the greeting"));
            QmpException gone = new QmpException("QMP connection closed");
            pending.values().forEach(f -> f.completeExceptionally(gone));
            pending.clear();
            closed.complete(null);
        }
    }

    private void dispatch(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (RuntimeException e) {
            LOG.warn("QMP sent a line that is not JSON: {}", line);
            return;
        }
        if (node.has("QMP")) {
            greeting.complete(node);
            return;
        }
        if (node.has("event")) {
            try {
                eventListener.accept(node);
            } catch (RuntimeException e) {
                LOG.warn("QMP event listener failed", e);
            }
            return;
        }
        JsonNode id = node.get("id");
        CompletableFuture<JsonNode> answer = id == null ? null : pending.remove(id.asString());
        if (answer == null) {
            LOG.debug("QMP answer nobody waits for: {}", line);
        } else if (node.has("error")) {
            JsonNode error = node.get("error");
            answer.completeExceptionally(new QmpException(error.path("class").asString("Error") + ": "
                    + error.path("desc").asString("")));
        } else {
            answer.complete(node.get("return"));
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: the socket is gone either way
            }
        }
    }
}
