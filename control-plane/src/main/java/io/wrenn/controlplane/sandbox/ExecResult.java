package io.wrenn.controlplane.sandbox;

import java.util.Base64;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a one-shot exec. {@code encoding} is {@code utf-8} when both streams are
 * valid UTF-8 and {@code base64} (for both) otherwise. {@code exit_code} is what the guest
 * reported; {@code timed_out} says the process was killed at its timeout and {@code error}
 * says why it did not exit normally (killed by a signal, could not start).
 */
record ExecResult(
        String stdout,
        String stderr,
        int exitCode,
        long durationMs,
        boolean truncated,
        boolean timedOut,
        String error,
        String encoding) {

    static ExecResult of(BoundedOutput stdout, BoundedOutput stderr, int exitCode, long durationMs,
                         boolean timedOut, String error) {
        byte[] out = stdout.bytes();
        byte[] err = stderr.bytes();
        boolean text = BoundedOutput.isUtf8(out) && BoundedOutput.isUtf8(err);
        return new ExecResult(
                text ? new String(out, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(out),
                text ? new String(err, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(err),
                exitCode,
                durationMs,
                stdout.truncated() || stderr.truncated(),
                timedOut,
                error,
                text ? "utf-8" : "base64");
    }
}
