package io.wrenn.sdk;

import java.util.List;

/**
 * Processes in one sandbox. {@link #run} waits for the end; {@link #start} gives a handle
 * at once; {@link #attach} reconnects to a process started earlier (with
 * {@code background(true)}), replaying the output it kept (its last MiB) before live output.
 * Thread-safe.
 */
public interface Commands {

    /**
     * Runs a shell command line ({@code /bin/sh -c}) and waits for it.
     *
     * @param script the command line
     * @return how it ended; a non-zero exit is a result, not an exception
     */
    CommandResult run(String script);

    /**
     * Runs a process and waits for it, its output going to the spec's callbacks as it happens.
     *
     * @param spec the process
     * @return how it ended
     */
    CommandResult run(CommandSpec spec);

    /**
     * Starts a process and answers once it runs.
     *
     * @param spec the process
     * @return its handle
     */
    CommandHandle start(CommandSpec spec);

    /**
     * Reconnects to a running (or just ended) process by its pid.
     *
     * @param pid       the process id
     * @param callbacks where its output goes: only the spec's callbacks and {@code keepOutput} are used
     * @return its handle
     */
    CommandHandle attach(int pid, CommandSpec callbacks);

    /**
     * Reconnects to a running (or just ended) process by its tag.
     *
     * @param tag       the tag it was started with
     * @param callbacks where its output goes: only the spec's callbacks and {@code keepOutput} are used
     * @return its handle
     */
    CommandHandle attach(String tag, CommandSpec callbacks);

    /** The processes started through Wrenn that are still running. */
    List<ProcessInfo> list();

    /**
     * Sends SIGKILL to a process and its process group.
     *
     * @param pid the process id
     */
    void kill(int pid);
}
