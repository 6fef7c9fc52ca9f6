package io.wrenn.controlplane.build;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes one build's log: output is cut into lines per stream (a partial line waits for its
 * end, or for the step's end), each timestamped when it arrived and tagged with its step, and
 * stored as it comes so readers see it live. Overlong lines are cut at {@link #MAX_LINE}.
 */
final class BuildLog {

    static final int MAX_LINE = 16 * 1024;

    private final BuildStore store;
    private final UUID buildId;
    private final Clock clock;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    BuildLog(BuildStore store, UUID buildId, Clock clock) {
        this.store = store;
        this.buildId = buildId;
        this.clock = clock;
    }

    void system(int step, String message) {
        store.appendLogs(buildId, List.of(new LogLine(0, step, "system", message, clock.instant())));
    }

    void output(int step, String stream, byte[] bytes) {
        ByteArrayOutputStream pending = stream.equals("stdout") ? stdout : stderr;
        List<LogLine> lines = new ArrayList<>();
        for (byte b : bytes) {
            if (b == '\n') {
                lines.add(line(step, stream, pending));
            } else if (pending.size() < MAX_LINE) {
                pending.write(b);
            }
        }
        store.appendLogs(buildId, lines);
    }

    /** Writes what is left of a step's partial lines. */
    void endStep(int step) {
        List<LogLine> lines = new ArrayList<>();
        if (stdout.size() > 0) {
            lines.add(line(step, "stdout", stdout));
        }
        if (stderr.size() > 0) {
            lines.add(line(step, "stderr", stderr));
        }
        store.appendLogs(buildId, lines);
    }

    private LogLine line(int step, String stream, ByteArrayOutputStream pending) {
        String text = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return new LogLine(0, step, stream, text.replace('\0', '?'), clock.instant());
    }
}
