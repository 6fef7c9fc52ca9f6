package io.wrenn.hostagent.guest;

/** What envd's {@code process.Process/Start} and {@code Connect} streams say about a process. */
public sealed interface ProcessEvent {

    record Started(long pid) implements ProcessEvent {
    }

    record Stdout(byte[] data) implements ProcessEvent {
    }

    record Stderr(byte[] data) implements ProcessEvent {
    }

    /** Output of a process on a pseudo-terminal (stdout and stderr are one stream there). */
    record Pty(byte[] data) implements ProcessEvent {
    }

    /**
     * The process ended.
     *
     * @param exitCode its exit code (envd reports -1 when a signal killed it)
     * @param exited   false when it did not exit on its own (signal)
     * @param status   envd's description, e.g. "exit status 3" or "signal: killed"
     * @param error    set when it failed to start or envd reported an error
     */
    record Ended(int exitCode, boolean exited, String status, String error) implements ProcessEvent {
    }
}
