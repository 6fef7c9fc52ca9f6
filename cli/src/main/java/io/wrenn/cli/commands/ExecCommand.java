package io.wrenn.cli.commands;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Wrenn;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wrenn sandbox exec}: runs a program in a sandbox with its output streamed here as it
 * happens, and exits with the program's exit code (124 when it was killed at its timeout, 137
 * when it was killed otherwise), so scripts can trust it.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a program in a sandbox; exits with its exit code.",
                "No implicit shell: use `-- sh -c '…'` for one."},
        footer = {"", "Examples:", "  wrenn sandbox exec sb-… -- uname -a",
                "  wrenn sandbox exec sb-… -- sh -c 'exit 7'; echo $?   # 7",
                "  tar c src | wrenn sandbox exec -i sb-… -- tar x -C /home/user"})
final class ExecCommand implements Callable<Integer> {
    static final int EXIT_TIMED_OUT = 124;
    static final int EXIT_KILLED = 137;

    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "SANDBOX") String id;
    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", description = "the program and its arguments")
    List<String> program;

    @Option(names = "--cwd", paramLabel = "DIR") String cwd;
    @Option(names = {"-u", "--user"}) String user;
    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE") Map<String, String> env = Map.of();
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "kill it after this many seconds")
    Long timeoutSeconds;
    @Option(names = {"-i", "--stdin"}, description = "send this standard input to the program")
    boolean stdin;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        CommandSpec.Builder spec = CommandSpec.builder(program.get(0)).args(program.subList(1, program.size()))
                .cwd(cwd).user(user).keepOutput(false)
                .onStdout(text -> {
                    out.print(text);
                    out.flush();
                })
                .onStderr(text -> {
                    err.print(text);
                    err.flush();
                });
        env.forEach(spec::env);
        if (timeoutSeconds != null) {
            spec.timeout(Duration.ofSeconds(timeoutSeconds));
        }
        try (Wrenn wrenn = client.client(); CommandHandle handle = wrenn.sandboxes().connect(id).commands().start(spec.build())) {
            if (stdin) {
                forward(ClientCommands.environment(command.commandLine()).stdin(), handle);
            }
            return exitCode(handle.waitFor());
        }
    }

    /** Copies local input to the process on a thread of its own, then closes its stdin. */
    private static void forward(InputStream input, CommandHandle handle) {
        Thread copier = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                int read;
                while ((read = input.read(buffer)) > 0) {
                    handle.sendStdin(Arrays.copyOf(buffer, read));
                }
                handle.closeStdin();
            } catch (IOException | RuntimeException ended) {
                // the process ended first, or local input broke: nothing more to send
            }
        }, "wrenn-exec-stdin");
        copier.setDaemon(true);
        copier.start();
    }

    static int exitCode(CommandResult result) {
        if (result.timedOut()) {
            return EXIT_TIMED_OUT;
        }
        return result.exitCode() < 0 ? EXIT_KILLED : result.exitCode();
    }
}
