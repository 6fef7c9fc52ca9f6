package io.wrenn.cli.commands;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Wrenn;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code wrenn sandbox shell}: an interactive login shell in a sandbox on a pseudo-terminal
 * of this terminal's size, this terminal in raw mode meanwhile (so Ctrl-C, arrows and
 * full-screen programs reach the sandbox), resized when this terminal is. Exits with the
 * shell's exit code.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = "Open an interactive shell in a sandbox (bash where it has it, else sh).",
        footer = {"", "Examples:", "  wrenn sandbox shell sb-…", "  wrenn sandbox shell --user root sb-…"})
final class ShellCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin ClientOptions client;
    @Parameters(paramLabel = "SANDBOX") String id;
    @Option(names = {"-u", "--user"}) String user;

    @Override
    public Integer call() {
        int[] size = Terminal.size().orElse(new int[] {80, 24});
        PrintStream out = System.out;
        String term = ClientCommands.environment(command.commandLine()).variables().getOrDefault("TERM", "xterm-256color");
        CommandSpec spec = CommandSpec.loginShell(size[0], size[1]).user(user)
                .env("TERM", term).keepOutput(false)
                .onPtyData(bytes -> {
                    out.write(bytes, 0, bytes.length);
                    out.flush();
                })
                .build();
        try (Wrenn wrenn = client.client(); Terminal raw = Terminal.present() ? Terminal.raw() : null;
             CommandHandle shell = wrenn.sandboxes().connect(id).commands().start(spec)) {
            followResizes(shell);
            forward(ClientCommands.environment(command.commandLine()).stdin(), shell);
            return ExecCommand.exitCode(shell.waitFor());
        }
    }

    private static void followResizes(CommandHandle shell) {
        try {
            Signal.handle(new Signal("WINCH"), signal -> Terminal.size().ifPresent(size -> {
                if (!shell.isDone()) {
                    shell.resize(size[0], size[1]);
                }
            }));
        } catch (IllegalArgumentException unsupported) {
            // no SIGWINCH here: the size stays as it was at the start
        }
    }

    /** Keys typed here go to the shell as they come, byte for byte. */
    private static void forward(InputStream input, CommandHandle shell) {
        Thread keys = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                int read;
                while ((read = input.read(buffer)) > 0 && !shell.isDone()) {
                    shell.sendStdin(Arrays.copyOf(buffer, read));
                }
            } catch (IOException | RuntimeException ended) {
                // the shell ended first, or the terminal went away
            }
        }, "wrenn-shell-keys");
        keys.setDaemon(true);
        keys.start();
    }
}
