package io.wrenn.sdk.internal;

import io.wrenn.sdk.FileEvent;
import io.wrenn.sdk.FileWatch;
import io.wrenn.sdk.WrennException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * A directory watch read from the server's event stream ({@code event: start}, then
 * {@code event: change} with a JSON {@code data} line per change) on a daemon thread of its
 * own. Closing the watch closes the stream, which ends the request.
 */
final class EventStreamWatch implements FileWatch {
    private static final long START_TIMEOUT_SECONDS = 60;

    private final InputStream stream;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean active = true;

    private EventStreamWatch(InputStream stream) {
        this.stream = stream;
    }

    static EventStreamWatch start(InputStream stream, Consumer<FileEvent> onEvent) {
        EventStreamWatch watch = new EventStreamWatch(stream);
        Thread reader = new Thread(() -> watch.read(onEvent), "wrenn-watch");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!watch.started.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                watch.close();
                throw new WrennException.TimeoutException("the watch did not start in time", null);
            }
        } catch (InterruptedException e) {
            watch.close();
            Thread.currentThread().interrupt();
            throw new WrennException.ConnectionException("interrupted", e);
        }
        if (!watch.active) {
            throw new WrennException.ConnectionException("the watch ended before it started", null);
        }
        return watch;
    }

    private void read(Consumer<FileEvent> onEvent) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String event = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("event:")) {
                    event = line.substring("event:".length()).strip();
                    if (event.equals("start")) {
                        started.countDown();
                    }
                } else if (line.startsWith("data:") && "change".equals(event)) {
                    JsonNode change = Json.read(line.substring("data:".length()).strip());
                    String type = change.path("type").asString().toUpperCase(Locale.ROOT);
                    // A kind of change this SDK does not know yet (a newer server) is skipped.
                    if (Arrays.stream(FileEvent.Type.values()).anyMatch(known -> known.name().equals(type))) {
                        onEvent.accept(new FileEvent(FileEvent.Type.valueOf(type), change.path("name").asString()));
                    }
                } else if (line.isEmpty()) {
                    event = null;
                }
            }
        } catch (IOException | RuntimeException ended) {
            // closed by the caller, or the sandbox went away: the watch is over either way
        } finally {
            active = false;
            started.countDown();
        }
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public void close() {
        active = false;
        try {
            stream.close();
        } catch (IOException ignored) {
            // closing ends the request; nothing more to do
        }
    }
}
