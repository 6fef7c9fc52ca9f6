package io.wrenn.sdk.testing;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Filesystem;
import io.wrenn.sdk.WrennException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One process of a fake sandbox: its {@link FakeProgram} runs on a daemon thread of its own;
 * its output is kept (for reattaching) and passed to the callbacks of every connected handle.
 */
final class FakeProcess implements FakeProgram.Process {
    private final int pid;
    private final CommandSpec spec;
    private final List<String> args;
    private final Filesystem files;
    private final PipedOutputStream stdinWriter = new PipedOutputStream();
    private final PipedInputStream stdin;
    private final List<String[]> output = new ArrayList<>();
    private final List<Handle> handles = new ArrayList<>();
    private final CompletableFuture<int[]> exit = new CompletableFuture<>();
    private final Consumer<String> console;
    private final boolean stdoutToConsole;
    private volatile boolean killed;

    FakeProcess(int pid, CommandSpec spec, List<String> args, Filesystem files, Consumer<String> console,
            boolean stdoutToConsole) {
        this.pid = pid;
        this.spec = spec;
        this.args = List.copyOf(args);
        this.files = files;
        this.console = console;
        this.stdoutToConsole = stdoutToConsole;
        try {
            this.stdin = new PipedInputStream(stdinWriter, 64 * 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int pid() {
        return pid;
    }

    boolean running() {
        return !exit.isDone();
    }

    /** Starts the program; the handle is connected before it can print anything. */
    Handle start(FakeProgram program, CommandSpec callbacks) {
        Handle handle = connect(callbacks);
        Thread thread = new Thread(() -> {
            int code;
            try {
                code = program.run(this);
            } catch (Exception e) {
                stderr(String.valueOf(e.getMessage()) + "\n");
                code = 1;
            }
            exit.complete(new int[] {killed ? -1 : code});
        }, "wrenn-fake-process-" + pid);
        thread.setDaemon(true);
        thread.start();
        return handle;
    }

    /** A new handle: the output so far first, then live output. */
    synchronized Handle connect(CommandSpec callbacks) {
        Handle handle = new Handle(callbacks);
        for (String[] chunk : output) {
            handle.deliver(chunk[0], chunk[1]);
        }
        handles.add(handle);
        return handle;
    }

    private synchronized void emit(String stream, String text) {
        output.add(new String[] {stream, text});
        for (Handle handle : handles) {
            handle.deliver(stream, text);
        }
    }

    @Override
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public List<String> args() {
        return args;
    }

    @Override
    public InputStream stdin() {
        return stdin;
    }

    @Override
    public void stdout(String text) {
        if (stdoutToConsole) {
            console.accept(text);
        } else {
            emit("stdout", text);
        }
    }

    @Override
    public void stderr(String text) {
        emit("stderr", text);
    }

    @Override
    public void console(String text) {
        console.accept(text);
    }

    @Override
    public Filesystem files() {
        return files;
    }

    @Override
    public boolean killed() {
        return killed;
    }

    void kill() {
        killed = true;
        closeStdin();
    }

    private void closeStdin() {
        try {
            stdinWriter.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** A connection to the process, as {@link CommandHandle}. */
    final class Handle implements CommandHandle {
        private final CommandSpec callbacks;
        private final StringBuilder stdout = new StringBuilder();
        private final StringBuilder stderr = new StringBuilder();
        private volatile boolean connected = true;

        Handle(CommandSpec callbacks) {
            this.callbacks = callbacks;
        }

        void deliver(String stream, String text) {
            boolean isStdout = stream.equals("stdout");
            if (callbacks.keepOutput()) {
                (isStdout ? stdout : stderr).append(text);
            }
            Consumer<String> callback = isStdout ? callbacks.onStdout() : callbacks.onStderr();
            if (callback != null) {
                callback.accept(text);
            }
            if (isStdout && callbacks.onPtyData() != null) {
                callbacks.onPtyData().accept(text.getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public Optional<String> tag() {
            return Optional.ofNullable(spec.tag());
        }

        @Override
        public void sendStdin(byte[] bytes) {
            try {
                stdinWriter.write(bytes);
                stdinWriter.flush();
            } catch (IOException e) {
                throw new WrennException.ConflictException("invalid_state", 409, "the process's stdin is closed");
            }
        }

        @Override
        public void sendStdin(String text) {
            sendStdin(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void closeStdin() {
            FakeProcess.this.closeStdin();
        }

        @Override
        public void terminate() {
            kill();
        }

        @Override
        public void kill() {
            FakeProcess.this.kill();
        }

        @Override
        public void resize(int cols, int rows) {
            if (spec.pty() == null) {
                throw new IllegalStateException("only a process on a pty has a terminal to resize");
            }
        }

        @Override
        public boolean isDone() {
            return exit.isDone() || !connected;
        }

        private CommandResult result(int code) {
            synchronized (FakeProcess.this) {
                return new CommandResult(pid, code, stdout.toString(), stderr.toString(), false,
                        killed ? "signal: killed" : null);
            }
        }

        @Override
        public CommandResult waitFor() {
            return result(exit.join()[0]);
        }

        @Override
        public CommandResult waitFor(Duration timeout) {
            try {
                return result(exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS)[0]);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new WrennException.TimeoutException("process " + pid + " still runs after " + timeout, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WrennException.ConnectionException("interrupted", e);
            }
        }

        @Override
        public void close() {
            connected = false;
            synchronized (FakeProcess.this) {
                handles.remove(this);
            }
            if (!spec.background() && !exit.isDone()) {
                kill();
            }
        }
    }
}
