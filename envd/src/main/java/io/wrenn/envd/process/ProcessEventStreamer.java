package io.wrenn.envd.process;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.connect.MessageStream;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a process's life as protocol events: {@code start{pid}}, then {@code data} for each
 * output chunk, {@code keepalive} whenever nothing happened for an interval, and {@code end} with
 * the exit status. Start and Connect share it; they differ only in their cursor.
 */
final class ProcessEventStreamer {
    private ProcessEventStreamer() {
    }

    /**
     * @param deadlineNanos a {@link System#nanoTime()} after which the stream ends with
     *                      {@code deadline_exceeded}, if any
     */
    static void stream(ManagedProcess process, OutputLog.Cursor cursor, MessageStream stream,
                       long keepaliveMillis, Optional<Long> deadlineNanos) throws IOException {
        try (cursor) {
            stream.send(event("start", Map.of("pid", process.pid())));
            while (true) {
                long wait = keepaliveMillis;
                if (deadlineNanos.isPresent()) {
                    long left = (deadlineNanos.get() - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new ConnectException(Code.DEADLINE_EXCEEDED, "stream deadline exceeded");
                    }
                    wait = Math.min(wait, left);
                }
                OutputLog.Item item;
                try {
                    item = process.output().read(cursor, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConnectException(Code.CANCELED, "envd is stopping");
                }
                switch (item) {
                    case OutputLog.Item.Data(OutputChunk chunk) -> stream.send(event("data", Map.of(
                            fieldOf(chunk.stream()), Base64.getEncoder().encodeToString(chunk.data()))));
                    case OutputLog.Item.Idle() -> {
                        if (deadlineNanos.isEmpty() || System.nanoTime() < deadlineNanos.get()) {
                            stream.send(event("keepalive", Map.of()));
                        }
                    }
                    case OutputLog.Item.End() -> {
                        stream.send(event("end", process.exit().join().toJson()));
                        return;
                    }
                }
            }
        }
    }

    private static String fieldOf(OutputChunk.Stream stream) {
        return switch (stream) {
            case STDOUT -> "stdout";
            case STDERR -> "stderr";
            case PTY -> "pty";
        };
    }

    private static Map<String, Object> event(String kind, Object body) {
        return Map.of("event", Map.of(kind, body));
    }
}
