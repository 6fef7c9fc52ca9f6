package io.wrenn.sdk;

/**
 * How a process ended, with the output it produced (when the spec kept it).
 *
 * @param pid      its process id in the guest
 * @param exitCode its exit code (-1 when it did not exit by itself)
 * @param stdout   its standard output as text (a terminal's output for a pty)
 * @param stderr   its standard error as text
 * @param timedOut true when it was killed at its timeout
 * @param error    why it did not exit by itself (e.g. {@code signal: killed}), or null
 */
public record CommandResult(int pid, int exitCode, String stdout, String stderr, boolean timedOut, String error) {

    /** True when the process exited by itself with code 0. */
    public boolean succeeded() {
        return exitCode == 0 && error == null && !timedOut;
    }
}
