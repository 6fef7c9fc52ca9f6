package io.wrenn.sdk;

import java.time.Duration;
import java.util.Optional;

/**
 * A process running in a sandbox, connected to this client: write to its stdin, signal it,
 * resize its terminal, wait for its end. Its output goes to the callbacks of its
 * {@link CommandSpec}. {@link #close()} disconnects: a background process keeps running (and
 * can be reattached by pid or tag), any other is killed with its process group. Thread-safe.
 */
public interface CommandHandle extends AutoCloseable {

    /** The process id in the guest. */
    int pid();

    /** The tag it was started with, if any. */
    Optional<String> tag();

    /** Writes bytes to its standard input (to its terminal, for a pty). */
    void sendStdin(byte[] bytes);

    /** Writes UTF-8 text to its standard input. */
    void sendStdin(String text);

    /** Closes its standard input (end of file). */
    void closeStdin();

    /** Sends SIGTERM to its process group. */
    void terminate();

    /** Sends SIGKILL to its process group. */
    void kill();

    /** Resizes its terminal; only for a process started with a pty. */
    void resize(int cols, int rows);

    /** True once the process has ended (or the connection to it is gone). */
    boolean isDone();

    /**
     * Waits for the process to end.
     *
     * @return how it ended
     * @throws WrennException when the connection to it broke first
     */
    CommandResult waitFor();

    /**
     * Waits at most {@code timeout} for the process to end.
     *
     * @param timeout how long to wait
     * @return how it ended
     * @throws WrennException.TimeoutException when it is still running after {@code timeout}
     */
    CommandResult waitFor(Duration timeout);

    /** Disconnects; a background process keeps running, any other is killed. */
    @Override
    void close();
}
