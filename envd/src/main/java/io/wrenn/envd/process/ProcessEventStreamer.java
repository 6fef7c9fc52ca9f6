package io.wrenn.envd.process;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.connect.MessageStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a process's life as protocol events: {@code start{pid}}, then {@code data} for each
 * output chunk, {@code keepalive} whenever nothing happened for an interval, and {@code end} with
 * the exit status. Start and Connect share it; they differ only in their cursor.
 */
final class ProcessEventStreamer {
    private static final byte[] DATA_SUFFIX = "\"}}}".getBytes(StandardCharsets.US_ASCII);

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
                    case OutputLog.Item.Data(OutputChunk chunk) -> stream.sendJson(dataEvent(chunk));
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

    /**
     * {@code {"event":{"data":{"<stream>":"<base64>"}}}} written straight to bytes: the base64
     * alphabet needs no JSON escaping, and on the guest's slow CPU the general writer's pass
     * per character (then a copy to a string and one to UTF-8) cost more than the encoding.
     */
    static byte[] dataEvent(OutputChunk chunk) {
        byte[] prefix = ("{\"event\":{\"data\":{\"" + fieldOf(chunk.stream()) + "\":\"").getBytes(StandardCharsets.US_ASCII);
        byte[] data = Base64.getEncoder().encode(chunk.data());
        byte[] json = new byte[prefix.length + data.length + DATA_SUFFIX.length];
        System.arraycopy(prefix, 0, json, 0, prefix.length);
        System.arraycopy(data, 0, json, prefix.length, data.length);
        System.arraycopy(DATA_SUFFIX, 0, json, prefix.length + data.length, DATA_SUFFIX.length);
        return json;
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
