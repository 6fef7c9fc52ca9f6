package io.wrenn.sdk;

/**
 * The end of a sandbox's serial console: what its guest wrote to {@code /dev/console} (kernel
 * messages, its init's and envd's output, anything its root writes there). Safe to print on a
 * terminal: the server removes every control character but newline and tab.
 *
 * @param text      the console's end, from the start of a line unless a single line fills it
 * @param truncated whether earlier output exists that is not in {@code text} (beyond the bytes
 *                  asked for, or dropped by the host, which keeps only a console's last MiB or two)
 */
public record SandboxConsole(String text, boolean truncated) {

    /** How much {@link Sandbox#console()} reads: 64 KiB. */
    public static final int DEFAULT_BYTES = 64 * 1024;

    /** The most one call may ask for: 256 KiB. */
    public static final int MAX_BYTES = 256 * 1024;
}
