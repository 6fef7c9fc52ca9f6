package io.wrenn.envd.process;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.linux.Libc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One process started by envd: its pipes, its output window and, once it ended, its exit status.
 *
 * <p>Two reader threads copy stdout and stderr into the {@link OutputLog}; a waiter thread waits
 * for the exit, lets the readers drain what the process wrote, then closes the log. Readers are
 * platform threads because they block in native pipe reads.
 */
public final class ManagedProcess {
    private static final System.Logger LOG = System.getLogger(ManagedProcess.class.getName());
    private static final int READ_SIZE = 32 * 1024;
    /** After the process exits, how long a pipe may stay silent before we stop waiting for EOF (a background child may hold it open). */
    private static final long DRAIN_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** After the process exits, how long output from background children that inherited its pipes may delay the end. */
    private static final long DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ProcessSpec spec;
    private final Process process;
    private final Pty pty; // null unless the process runs on a pseudo-terminal
    private final boolean ownProcessGroup;
    private final OutputLog output;
    private final OutputLog.Cursor starterCursor;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final Object stdinLock = new Object();
    private OutputStream stdin; // guarded by stdinLock; null when closed or never open
    private volatile int signalSent;
    private volatile boolean reaped; // the JDK has collected the exit status: the pid may be reused
    private volatile long lastOutputNanos = System.nanoTime();

    private ManagedProcess(ProcessSpec spec, Process process, Pty pty, boolean ownProcessGroup, long outputCapacity) {
        this.spec = spec;
        this.process = process;
        this.pty = pty;
        this.ownProcessGroup = ownProcessGroup;
        this.output = new OutputLog(outputCapacity);
        // Taken before the readers start, so the client that started the process misses nothing.
        this.starterCursor = output.holdingCursorFromStart();
        this.stdin = spec.stdin() && pty == null ? process.getOutputStream() : null;
        if (this.stdin == null) {
            closeQuietly(process.getOutputStream());
        }
    }

    /** Starts the process described by {@code spec}. */
    static ManagedProcess start(ProcessSpec spec, ProcessLauncher launcher, long outputCapacity) {
        Pty pty = spec.pty().map(size -> Pty.open(size.cols(), size.rows())).orElse(null);
        var builder = new ProcessBuilder(launcher.command(spec, Optional.ofNullable(pty).map(Pty::slavePath)))
                .directory(spec.workdir().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        if (!spec.stdin() || pty != null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        if (pty != null) {
            // The wrapper replaces all three with the terminal before the command runs.
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            if (pty != null) {
                pty.closeUnused();
            }
            throw new ConnectException(Code.INVALID_ARGUMENT, "cannot start " + spec.cmd() + ": " + e.getMessage(), e);
        }
        var managed = new ManagedProcess(spec, process, pty, launcher.ownProcessGroup(), outputCapacity);
        managed.startThreads();
        return managed;
    }

    private void startThreads() {
        int pid = pid();
        Thread[] readers;
        if (pty != null) {
            readers = new Thread[] {Thread.ofPlatform().daemon().name("envd-" + pid + "-pty").start(this::pumpPty)};
        } else {
            readers = new Thread[] {
                    Thread.ofPlatform().daemon().name("envd-" + pid + "-stdout")
                            .start(() -> pump(process.getInputStream(), OutputChunk.Stream.STDOUT)),
                    Thread.ofPlatform().daemon().name("envd-" + pid + "-stderr")
                            .start(() -> pump(process.getErrorStream(), OutputChunk.Stream.STDERR))};
        }
        Thread.ofPlatform().daemon().name("envd-" + pid + "-wait").start(() -> awaitExit(readers));
    }

    private void pumpPty() {
        try {
            pty.pumpThenClose(data -> {
                lastOutputNanos = System.nanoTime();
                output.append(new OutputChunk(OutputChunk.Stream.PTY, data));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(InputStream in, OutputChunk.Stream stream) {
        byte[] buffer = new byte[READ_SIZE];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastOutputNanos = System.nanoTime();
                output.append(new OutputChunk(stream, java.util.Arrays.copyOf(buffer, n)));
            }
        } catch (IOException e) {
            // The pipe was closed under us; nothing more to read.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitExit(Thread[] readers) {
        int exitValue;
        try {
            exitValue = process.waitFor();
            reaped = true;
            if (pty != null) {
                pty.closeSlave();
            }
            // Let the readers drain what the process wrote. Stop waiting once the pipes have been
            // quiet for a while, or after a bound: a background child that inherited them may keep
            // them open (and even busy) forever. While a reader is blocked handing output to a slow
            // client, the output is the process's own and the wait goes on.
            long exitedAt = System.nanoTime();
            while (anyAlive(readers)) {
                for (Thread reader : readers) {
                    reader.join(50);
                }
                long now = System.nanoTime();
                boolean quiet = now - lastOutputNanos > DRAIN_QUIET_NANOS;
                boolean tooLong = now - exitedAt > DRAIN_MAX_NANOS;
                if ((quiet || tooLong) && !readersAreAppending(readers)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (stdinLock) {
            closeQuietly(stdin);
            stdin = null;
        }
        output.close();
        exit.complete(ExitStatus.of(exitValue, signalSent));
    }

    private static boolean anyAlive(Thread[] threads) {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    /** True while a reader is blocked handing a chunk to the log (back-pressure), not waiting on its pipe. */
    private static boolean readersAreAppending(Thread... readers) {
        for (Thread reader : readers) {
            if (reader.getState() == Thread.State.WAITING || reader.getState() == Thread.State.TIMED_WAITING) {
                return true;
            }
        }
        return false;
    }

    public int pid() {
        return (int) process.pid();
    }

    public ProcessSpec spec() {
        return spec;
    }

    public Optional<String> tag() {
        return spec.tag();
    }

    public OutputLog output() {
        return output;
    }

    /** The cursor reserved for the client that started the process (see {@link OutputLog}). */
    OutputLog.Cursor starterCursor() {
        return starterCursor;
    }

    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    public boolean isRunning() {
        return !exit.isDone();
    }

    /**
     * Sends a signal to the process and everything it started: its process group (it runs in a
     * session of its own) and, for children that left the group, each descendant the kernel still
     * links to it.
     */
    public void signal(int signal) {
        if (reaped || !isRunning()) {
            throw ConnectException.notFound("process " + pid() + " is not running");
        }
        signalSent = signal;
        List<ProcessHandle> descendants = process.descendants().toList();
        if (ownProcessGroup) {
            Libc.kill(-pid(), signal);
        }
        Libc.kill(pid(), signal);
        for (ProcessHandle child : descendants) {
            Libc.kill((int) child.pid(), signal);
        }
    }

    /** Input for the process: its stdin pipe, or its terminal when it runs on one. */
    public void writeStdin(byte[] data) {
        if (pty != null) {
            writePty(data);
            return;
        }
        synchronized (stdinLock) {
            if (stdin == null) {
                throw new ConnectException(Code.FAILED_PRECONDITION, spec.stdin() || !isRunning()
                        ? "stdin of process " + pid() + " is closed" : "process " + pid() + " was started without stdin");
            }
            try {
                stdin.write(data);
                stdin.flush();
            } catch (IOException e) {
                throw new ConnectException(Code.FAILED_PRECONDITION, "cannot write to stdin of process " + pid() + ": " + e.getMessage());
            }
        }
    }

    public void writePty(byte[] data) {
        if (pty == null) {
            throw new ConnectException(Code.FAILED_PRECONDITION, "process " + pid() + " has no pty");
        }
        if (!isRunning()) {
            throw ConnectException.notFound("process " + pid() + " is not running");
        }
        pty.write(data);
    }

    public void resizePty(int cols, int rows) {
        if (pty == null) {
            throw new ConnectException(Code.FAILED_PRECONDITION, "process " + pid() + " has no pty");
        }
        pty.resize(cols, rows);
    }

    public void closeStdin() {
        if (pty != null) {
            throw new ConnectException(Code.FAILED_PRECONDITION,
                    "process " + pid() + " runs on a pty: send Ctrl-D (0x04) instead of closing stdin");
        }
        synchronized (stdinLock) {
            closeQuietly(stdin);
            stdin = null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "close failed", e);
        }
    }
}
