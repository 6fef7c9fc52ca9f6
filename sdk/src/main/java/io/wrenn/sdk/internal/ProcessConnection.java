package io.wrenn.sdk.internal;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.WrennException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One process driven over {@code /v1/sandboxes/{id}/processes/stream}: the first message
 * (start or attach), then stdin, signals and resizes out; started, output and exited in. The
 * next frame is asked for only after the callbacks have taken the previous one, so a slow
 * callback slows the process, never fills this JVM's memory.
 */
final class ProcessConnection implements CommandHandle, WebSocket.Listener {
    private final CommandSpec callbacks;
    private final CompletableFuture<JsonNode> started = new CompletableFuture<>();
    private final CompletableFuture<CommandResult> ended = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final Utf8Decoder stdoutText = new Utf8Decoder();
    private final Utf8Decoder stderrText = new Utf8Decoder();
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private final Object sendLock = new Object();
    private volatile WebSocket socket;
    private volatile boolean pty;
    private volatile int pid;
    private volatile String tag;
    private RuntimeException callbackFailure;

    private ProcessConnection(CommandSpec callbacks) {
        this.callbacks = callbacks;
    }

    /** Opens the socket, sends {@code first} and answers once the process runs. */
    static ProcessConnection open(Transport transport, String sandboxId, ObjectNode first, CommandSpec callbacks) {
        ProcessConnection connection = new ProcessConnection(callbacks);
        connection.pty = callbacks.pty() != null;
        URI uri = URI.create(transport.settings().url().toString().replaceFirst("^http", "ws")
                + "/v1/sandboxes/" + Transport.segment(sandboxId) + "/processes/stream");
        WebSocket.Builder builder = transport.http().newWebSocketBuilder()
                .connectTimeout(transport.settings().connectTimeout());
        transport.credential().apply(builder::header);
        try {
            connection.socket = builder.buildAsync(uri, connection).get(
                    transport.settings().requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw upgradeFailure(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new WrennException.TimeoutException("the process socket did not open in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WrennException.ConnectionException("interrupted", e);
        }
        connection.send(first);
        try {
            JsonNode message = connection.started.get(transport.settings().lifecycleTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            connection.pid = message.path("pid").asInt();
            connection.tag = Json.text(message, "tag");
            return connection;
        } catch (ExecutionException e) {
            connection.socket.abort();
            throw (RuntimeException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            connection.socket.abort();
            throw new WrennException.TimeoutException("the process did not start in time", e);
        } catch (InterruptedException e) {
            connection.socket.abort();
            Thread.currentThread().interrupt();
            throw new WrennException.ConnectionException("interrupted", e);
        }
    }

    private static WrennException upgradeFailure(Throwable cause) {
        if (cause instanceof WebSocketHandshakeException) {
            int status = ((WebSocketHandshakeException) cause).getResponse().statusCode();
            return WrennException.of(status, ErrorCodes.codeOfUpgradeStatus(status),
                    "the process socket was refused with HTTP " + status);
        }
        if (cause instanceof HttpTimeoutException) {
            return new WrennException.TimeoutException("the process socket did not open in time", cause);
        }
        return new WrennException.ConnectionException("the process socket did not open: " + cause, cause);
    }

    // ---- the handle

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    @Override
    public void sendStdin(byte[] bytes) {
        send(Json.object().put("type", "stdin").put("data", Base64.getEncoder().encodeToString(bytes)));
    }

    @Override
    public void sendStdin(String text) {
        sendStdin(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void closeStdin() {
        send(Json.object().put("type", "close_stdin"));
    }

    @Override
    public void terminate() {
        send(Json.object().put("type", "signal").put("signal", "SIGTERM"));
    }

    @Override
    public void kill() {
        send(Json.object().put("type", "signal").put("signal", "SIGKILL"));
    }

    @Override
    public void resize(int cols, int rows) {
        if (!pty) {
            throw new IllegalStateException("only a process on a pty has a terminal to resize");
        }
        send(Json.object().put("type", "resize").put("cols", cols).put("rows", rows));
    }

    @Override
    public boolean isDone() {
        return ended.isDone();
    }

    @Override
    public CommandResult waitFor() {
        try {
            return ended.join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    @Override
    public CommandResult waitFor(Duration timeout) {
        try {
            return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new WrennException.TimeoutException("process " + pid + " still runs after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WrennException.ConnectionException("interrupted", e);
        }
    }

    @Override
    public void close() {
        WebSocket open = socket;
        if (open != null && !open.isOutputClosed()) {
            try {
                synchronized (sendLock) {
                    open.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                }
            } catch (Exception ignored) {
                // the socket is aborted below either way
            }
        }
        if (open != null) {
            open.abort();
        }
        ended.completeExceptionally(new WrennException.ConnectionException("disconnected from process " + pid, null));
    }

    private void send(JsonNode message) {
        synchronized (sendLock) {
            try {
                socket.sendText(Json.write(message), true).join();
            } catch (CompletionException e) {
                throw new WrennException.ConnectionException("the process socket is closed: " + e.getCause(), e);
            }
        }
    }

    // ---- the listener

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonNode message = Json.read(partial.toString());
            partial.setLength(0);
            handle(message);
        }
        webSocket.request(1);
        return null;
    }

    private void handle(JsonNode message) {
        switch (message.path("type").asString()) {
            case "started":
                started.complete(message);
                break;
            case "stdout":
                output(decode(message), stdoutText, stdout, callbacks.onStdout());
                break;
            case "stderr":
                output(decode(message), stderrText, stderr, callbacks.onStderr());
                break;
            case "pty":
                byte[] bytes = decode(message);
                deliver(() -> {
                    if (callbacks.onPtyData() != null) {
                        callbacks.onPtyData().accept(bytes);
                    }
                });
                output(bytes, stdoutText, stdout, null);
                break;
            case "exited":
                finishText(stdoutText, stdout, callbacks.onStdout());
                finishText(stderrText, stderr, callbacks.onStderr());
                CommandResult result = new CommandResult(pid, message.path("exit_code").asInt(-1),
                        stdout.toString(), stderr.toString(), message.path("timed_out").asBoolean(),
                        Json.text(message, "error"));
                if (callbackFailure != null) {
                    ended.completeExceptionally(callbackFailure);
                } else {
                    ended.complete(result);
                }
                break;
            case "error":
                String code = Json.text(message, "code");
                WrennException error = WrennException.of(ErrorCodes.statusOf(code), code, Json.text(message, "message"));
                if (!started.completeExceptionally(error)) {
                    ended.completeExceptionally(error);
                }
                break;
            default:
                // a message type this SDK does not know yet: newer servers may send more
        }
    }

    private static byte[] decode(JsonNode message) {
        return Base64.getDecoder().decode(message.path("data").asString(""));
    }

    private void output(byte[] bytes, Utf8Decoder decoder, StringBuilder kept, java.util.function.Consumer<String> callback) {
        String text = decoder.decode(bytes);
        if (callbacks.keepOutput()) {
            kept.append(text);
        }
        if (callback != null && !text.isEmpty()) {
            deliver(() -> callback.accept(text));
        }
    }

    private void finishText(Utf8Decoder decoder, StringBuilder kept, java.util.function.Consumer<String> callback) {
        String rest = decoder.finish();
        if (!rest.isEmpty()) {
            if (callbacks.keepOutput()) {
                kept.append(rest);
            }
            if (callback != null) {
                deliver(() -> callback.accept(rest));
            }
        }
    }

    /** Runs a callback; the first one that throws is what {@link #waitFor} throws, the process goes on. */
    private void deliver(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            if (callbackFailure == null) {
                callbackFailure = e;
            }
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        WrennException gone = new WrennException.ConnectionException(
                "the process socket closed (" + statusCode + (reason.isEmpty() ? "" : ": " + reason) + ")", null);
        started.completeExceptionally(gone);
        ended.completeExceptionally(gone);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        WrennException gone = new WrennException.ConnectionException("the process socket failed: " + error, error);
        started.completeExceptionally(gone);
        ended.completeExceptionally(gone);
    }
}
