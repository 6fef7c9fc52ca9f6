package io.wrenn.sdk;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A process to run in a sandbox: the program and its arguments (no implicit shell; use
 * {@link #shell(String)} for one), where and as whom it runs, and the callbacks that receive
 * its output as it happens. Immutable; made with {@link #of(String, String...)} or
 * {@link #shell(String)} and refined with {@link #toBuilder()}, or built with {@link #builder(String)}:
 *
 * <pre>{@code
 * CommandSpec spec = CommandSpec.builder("python3").args("-u", "train.py")
 *         .cwd("/home/user/project")
 *         .env("EPOCHS", "3")
 *         .timeout(Duration.ofMinutes(30))
 *         .onStdout(System.out::print)
 *         .build();
 * }</pre>
 *
 * Callbacks run on the SDK's reader thread, one at a time and in the order the output was
 * produced; a slow callback slows the process down rather than filling memory. Text
 * callbacks get whole UTF-8 characters even when the process writes them in pieces.
 *
 * @param cmd        the program, a path or a name looked up in {@code PATH}
 * @param args       its arguments
 * @param env        added to the sandbox's environment for this process
 * @param cwd        absolute working directory, or null for the user's home
 * @param user       guest user, or null for the sandbox's default user
 * @param timeout    killed after this, or null for no limit
 * @param tag        a name to reattach to it by, or null
 * @param background true to keep it running when the caller disconnects
 * @param stdin      bytes written to its standard input before it is closed, or null to keep stdin open
 * @param pty        the terminal it runs on, or null for pipes
 * @param onStdout   receives standard output as text, or null
 * @param onStderr   receives standard error as text, or null
 * @param onPtyData  receives the terminal's output as bytes (pty only), or null
 * @param keepOutput true to collect the output in the {@link CommandResult} (default); false for
 *                   processes whose output only the callbacks should see
 */
public record CommandSpec(String cmd, List<String> args, Map<String, String> env, String cwd, String user,
                          Duration timeout, String tag, boolean background, byte[] stdin, PtySize pty,
                          Consumer<String> onStdout, Consumer<String> onStderr, Consumer<byte[]> onPtyData,
                          boolean keepOutput) {
    public CommandSpec {
        Objects.requireNonNull(cmd, "cmd");
        args = List.copyOf(args);
        env = Map.copyOf(env);
        stdin = stdin == null ? null : stdin.clone();
    }

    /**
     * @param cmd  the program
     * @param args its arguments
     * @return a spec of that program with defaults for the rest
     */
    public static CommandSpec of(String cmd, String... args) {
        return builder(cmd).args(args).build();
    }

    /**
     * @param script a shell command line, run by {@code /bin/sh -c}
     * @return a spec of that command line
     */
    public static CommandSpec shell(String script) {
        return of("/bin/sh", "-c", script);
    }

    /**
     * A login shell ({@code bash} where the image has it, else {@code sh}) on a terminal, to
     * refine (user, environment, callbacks) and start.
     *
     * @param cols columns of its terminal
     * @param rows rows of its terminal
     * @return a builder of that spec, with {@code TERM=xterm-256color}
     */
    public static Builder loginShell(int cols, int rows) {
        return builder("/bin/sh")
                .args("-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi")
                .pty(cols, rows)
                .env("TERM", "xterm-256color");
    }

    /**
     * @param cmd the program
     * @return a builder for it
     */
    public static Builder builder(String cmd) {
        return new Builder(cmd);
    }

    /** A builder holding this spec's values. */
    public Builder toBuilder() {
        Builder builder = new Builder(cmd);
        builder.args.addAll(args);
        builder.env.putAll(env);
        builder.cwd = cwd;
        builder.user = user;
        builder.timeout = timeout;
        builder.tag = tag;
        builder.background = background;
        builder.stdin = stdin;
        builder.pty = pty;
        builder.onStdout = onStdout;
        builder.onStderr = onStderr;
        builder.onPtyData = onPtyData;
        builder.keepOutput = keepOutput;
        return builder;
    }

    /** The size of a pseudo-terminal in character cells. */
    public record PtySize(int cols, int rows) {
        public PtySize {
            if (cols < 1 || rows < 1) {
                throw new IllegalArgumentException("a terminal has at least one column and one row");
            }
        }
    }

    /** Builds a {@link CommandSpec}; not thread-safe. */
    public static final class Builder {
        private final String cmd;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String cwd;
        private String user;
        private Duration timeout;
        private String tag;
        private boolean background;
        private byte[] stdin;
        private PtySize pty;
        private Consumer<String> onStdout;
        private Consumer<String> onStderr;
        private Consumer<byte[]> onPtyData;
        private boolean keepOutput = true;

        private Builder(String cmd) {
            this.cmd = Objects.requireNonNull(cmd, "cmd");
        }

        /** Appends arguments. */
        public Builder args(String... more) {
            args.addAll(Arrays.asList(more));
            return this;
        }

        /** Appends arguments. */
        public Builder args(List<String> more) {
            args.addAll(more);
            return this;
        }

        /** One environment variable for this process. */
        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Absolute working directory. */
        public Builder cwd(String cwd) {
            this.cwd = cwd;
            return this;
        }

        /** Guest user to run as. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** Kill the process after this long (whole seconds, at least one). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** A name to find and reattach to the process by. */
        public Builder tag(String tag) {
            this.tag = tag;
            return this;
        }

        /** Keep the process running when its caller disconnects (default: it is killed). */
        public Builder background(boolean background) {
            this.background = background;
            return this;
        }

        /** Bytes for standard input, which is closed after them. */
        public Builder stdin(byte[] bytes) {
            this.stdin = bytes.clone();
            return this;
        }

        /** Text (UTF-8) for standard input, which is closed after it. */
        public Builder stdin(String text) {
            return stdin(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Run on a pseudo-terminal of this size (output arrives as {@link #onPtyData}). */
        public Builder pty(int cols, int rows) {
            this.pty = new PtySize(cols, rows);
            return this;
        }

        /** Receives standard output as it happens. */
        public Builder onStdout(Consumer<String> callback) {
            this.onStdout = callback;
            return this;
        }

        /** Receives standard error as it happens. */
        public Builder onStderr(Consumer<String> callback) {
            this.onStderr = callback;
            return this;
        }

        /** Receives a terminal's output bytes as they happen. */
        public Builder onPtyData(Consumer<byte[]> callback) {
            this.onPtyData = callback;
            return this;
        }

        /** Whether the result collects the output (default true). */
        public Builder keepOutput(boolean keep) {
            this.keepOutput = keep;
            return this;
        }

        /** The spec. */
        public CommandSpec build() {
            return new CommandSpec(cmd, args, env, cwd, user, timeout, tag, background, stdin, pty, onStdout,
                    onStderr, onPtyData, keepOutput);
        }
    }
}
