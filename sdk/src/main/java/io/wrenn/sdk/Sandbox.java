package io.wrenn.sdk;

/**
 * One sandbox: a microVM with its own disk and network namespace. Closing it destroys it,
 * so a try-with-resources block leaves nothing behind:
 *
 * <pre>{@code
 * try (Sandbox sandbox = wrenn.sandboxes().create(SandboxSpec.of("debian"))) {
 *     System.out.println(sandbox.commands().run("uname -a").stdout());
 * }
 * }</pre>
 *
 * Thread-safe; every method is a call to the server (none caches state).
 */
public interface Sandbox extends AutoCloseable {

    /** Its id ({@code sb-…}). */
    String id();

    /** What the server knows of it now. */
    SandboxInfo info();

    /** Its processes. */
    Commands commands();

    /** Its interactive terminals. */
    Pty pty();

    /** Its files, as its default user. */
    Filesystem files();

    /** Its network settings, read and changed live. */
    SandboxNetwork network();

    /**
     * Its measured series (CPU, memory, disk, network) over a range ending now; kept after it
     * is paused or destroyed.
     *
     * @param range how far back
     * @return one point per step of the range
     */
    SandboxMetrics metrics(MetricsRange range);

    /**
     * What happened to it, oldest first: its lifecycle (created, first running, paused while
     * it is, stopped and why) and the API calls made on it. Not what its guest prints: that is
     * {@link #console(int)}, and its processes' output is read with a command.
     *
     * @param limit how many of the newest events (1–1000)
     * @return the events
     */
    java.util.List<SandboxEvent> logs(int limit);

    /**
     * The end of its serial console (kernel messages, its init's and envd's output, whatever its
     * root writes to {@code /dev/console}), for debugging a boot or a template's start command.
     * Readable while it runs or is paused; gone once it stops ({@link WrennException.ConflictException},
     * {@code invalid_state}). A sandbox restored from a snapshot has only what its guest wrote since.
     *
     * @param maxBytes at most this many bytes from the end, 1 to {@link SandboxConsole#MAX_BYTES}
     * @return the console's end, safe to print
     */
    SandboxConsole console(int maxBytes);

    /**
     * As {@link #console(int)}, the last {@link SandboxConsole#DEFAULT_BYTES}.
     *
     * @return the console's end, safe to print
     */
    default SandboxConsole console() {
        return console(SandboxConsole.DEFAULT_BYTES);
    }

    /**
     * Pauses it: memory, devices and disk are saved, its VM is freed; it costs no RAM or CPU and
     * has no timeout until resumed. Processes and open files survive.
     *
     * @return its state after the pause
     */
    SandboxInfo pause();

    /**
     * Brings a paused sandbox back as it was, with its clock set to now; its timeout starts again.
     *
     * @return its state after the resume
     */
    SandboxInfo resume();

    /**
     * Saves it as a snapshot template of the team (a running sandbox keeps running, a paused one
     * stays paused); sandboxes created from the template start restored, in well under a second.
     *
     * @param name the template's name ({@code [a-z0-9][a-z0-9._-]{0,62}})
     * @return the template
     */
    Template snapshot(String name);

    /**
     * Saves the disk alone of this running sandbox as an {@code image} template (its vCPUs stop
     * while the disk is copied): sandboxes created from it boot cold with its files, at any
     * vcpus and memory and a disk of at least its size.
     *
     * @param name the template's name ({@code [a-z0-9][a-z0-9._-]{0,62}})
     * @return the template
     */
    Template saveImage(String name);

    /**
     * Running copies of this one (memory, processes and files, metadata and network policy),
     * made from one snapshot the server takes and removes once no fork of it is left; this
     * sandbox keeps running. All or nothing: if any fork fails to start, the ones that did are
     * killed and the first failure is thrown.
     *
     * @param count how many copies, 1 to 10
     * @return the forks, running, in the server's order
     */
    java.util.List<Sandbox> fork(int count);

    /** Stops and removes it; idempotent. */
    void kill();

    /** Same as {@link #kill()}. */
    @Override
    void close();
}
