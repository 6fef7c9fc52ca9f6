package io.wrenn.sdk.testing;

import io.wrenn.sdk.SandboxConsole;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The serial console of a {@link FakeSandbox}, read back as the server serves it: the last bytes
 * asked for, from the start of a line unless one line fills them, without control characters
 * (but newline and tab). Like a host, it keeps only its newest {@link #KEPT_BYTES}.
 */
final class FakeConsole {
    static final int KEPT_BYTES = 1 << 20;

    private byte[] bytes = new byte[0];
    private boolean dropped;

    /** Appends what the guest wrote. */
    synchronized void write(String text) {
        byte[] more = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream all = new ByteArrayOutputStream(bytes.length + more.length);
        all.write(bytes, 0, bytes.length);
        all.write(more, 0, more.length);
        byte[] joined = all.toByteArray();
        if (joined.length > KEPT_BYTES) {
            dropped = true;
            joined = Arrays.copyOfRange(joined, joined.length - KEPT_BYTES, joined.length);
        }
        bytes = joined;
    }

    /** The last {@code maxBytes} (already checked by the caller). */
    synchronized SandboxConsole tail(int maxBytes) {
        int from = Math.max(0, bytes.length - maxBytes);
        boolean truncated = dropped || from > 0;
        int start = from;
        if (truncated && (from == 0 || bytes[from - 1] != '\n')) {
            start = lineStart(from);
        }
        String text = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
        return new SandboxConsole(forTerminal(text), truncated);
    }

    /** After the first newline from {@code from}, if anything follows it; else the first whole character. */
    private int lineStart(int from) {
        for (int i = from; i < bytes.length - 1; i++) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        int i = from;
        while (i < bytes.length && i < from + 3 && (bytes[i] & 0xc0) == 0x80) {
            i++;
        }
        return i;
    }

    /** Without ANSI control sequences and control characters other than newline and tab. */
    private static String forTerminal(String text) {
        String withoutSequences = text.replaceAll("\u001b\\[[\\x20-\\x3f]*[\\x40-\\x7e]?", "");
        StringBuilder out = new StringBuilder(withoutSequences.length());
        for (char c : withoutSequences.toCharArray()) {
            if (c == '\n' || c == '\t' || !Character.isISOControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
