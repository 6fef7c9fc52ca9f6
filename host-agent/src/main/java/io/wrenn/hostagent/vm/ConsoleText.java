package io.wrenn.hostagent.vm;

import java.nio.charset.StandardCharsets;

/**
 * A guest's console bytes made fit for a person's terminal. The guest is the tenant's, root in
 * its VM: what it wrote to its console may be anything, and escape sequences printed raw would
 * move the reader's cursor, retitle or recolour the window, or worse. So the bytes are decoded
 * as UTF-8 with every invalid sequence replaced, ANSI control sequences ({@code ESC [ … final})
 * are dropped whole, and every other control character goes too, except newline and tab.
 * Carriage returns go with them: a console ends its lines with {@code \r\n}.
 */
public final class ConsoleText {

    private static final char ESC = 0x1b;

    private ConsoleText() {
    }

    /** {@code bytes} as terminal-safe text. */
    public static String forTerminal(byte[] bytes, int offset, int length) {
        String decoded = new String(bytes, offset, length, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(decoded.length());
        int i = 0;
        while (i < decoded.length()) {
            char c = decoded.charAt(i);
            if (c == ESC && i + 1 < decoded.length() && decoded.charAt(i + 1) == '[') {
                i = afterControlSequence(decoded, i + 2);
                continue;
            }
            if (c == '\n' || c == '\t' || !Character.isISOControl(c)) {
                out.append(c);
            }
            i++;
        }
        return out.toString();
    }

    /**
     * Where text resumes after a control sequence whose parameters start at {@code from}:
     * parameter and intermediate bytes, then one final byte. A sequence cut off by the end
     * of the text, or broken by anything else, ends there; what follows is read as text.
     */
    private static int afterControlSequence(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= 0x20 && text.charAt(i) <= 0x3f) {
            i++;
        }
        if (i < text.length() && text.charAt(i) >= 0x40 && text.charAt(i) <= 0x7e) {
            return i + 1;
        }
        return i;
    }
}
