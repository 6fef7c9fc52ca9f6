package io.wrenn.cli.commands;

import io.wrenn.sdk.SandboxConsole;
import io.wrenn.sdk.SandboxEvent;
import io.wrenn.sdk.Wrenn;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wrenn logs} (and {@code wrenn sandbox logs}): what happened to a sandbox — its
 * lifecycle and the API calls made on it — or, with {@code --console}, the end of its guest's
 * serial console. Its processes' own output is read with {@code exec}.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Show what happened to a sandbox, oldest first: created, running, paused, stopped",
                "(with why, e.g. timeout) and every API call made on it, with its outcome and who made it.",
                "With --console, show instead the end of the guest's serial console: kernel messages, init's",
                "and envd's output, whatever root writes to /dev/console (while the sandbox runs or is paused).",
                "Its programs' own output is not in either: read their files or run a command with exec."},
        footer = {"", "Examples:", "  wrenn logs sb-…", "  wrenn logs sb-… --limit 20 --json",
                "  wrenn logs sb-… --console                  # why did its boot or start command fail?",
                "  wrenn logs sb-… --console --bytes 262144",
                "  wrenn sandbox exec sb-… -- tail -n 50 /var/log/app.log   # a program's own logs"})
public final class LogsCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Parameters(paramLabel = "SANDBOX") String id;
    @Option(names = {"-n", "--limit"}, paramLabel = "N",
            description = "the newest N events, 1 to 1000 (default: 100)")
    Integer limit;
    @Option(names = "--console", description = "the end of the guest's serial console instead of the events")
    boolean console;
    @Option(names = "--bytes", paramLabel = "N",
            description = "with --console: at most the last N bytes, 1 to 262144 (default: 65536)")
    Integer bytes;

    @Override
    public Integer call() {
        if (console && limit != null) {
            throw new ParameterException(command.commandLine(), "--limit counts events; with --console use --bytes");
        }
        if (!console && bytes != null) {
            throw new ParameterException(command.commandLine(), "--bytes goes with --console");
        }
        try (Wrenn wrenn = client.client()) {
            if (console) {
                printConsole(wrenn.sandboxes().connect(id).console(bytes == null ? SandboxConsole.DEFAULT_BYTES : bytes));
            } else {
                output.table(wrenn.sandboxes().connect(id).logs(limit == null ? 100 : limit),
                        List.of("TIME", "EVENT", "RESULT", "BY", "DETAIL"), LogsCommand::columns);
            }
        }
        return 0;
    }

    /** The text as the server sent it (it carries no control characters); a note on stderr when earlier output is left out. */
    private void printConsole(SandboxConsole tail) {
        if (output.json) {
            output.value(tail, List.of());
            return;
        }
        PrintWriter out = output.out();
        out.print(tail.text());
        if (!tail.text().isEmpty() && !tail.text().endsWith("\n")) {
            out.println();
        }
        out.flush();
        if (tail.truncated()) {
            PrintWriter err = command.commandLine().getErr();
            err.println("(earlier console output not shown; --bytes reads up to " + SandboxConsole.MAX_BYTES + ")");
            err.flush();
        }
    }

    private static List<String> columns(SandboxEvent event) {
        String result = event.status() == null ? null : event.status() + " " + event.outcome();
        return java.util.Arrays.asList(event.at().toString(), event.event(), result, event.actor(), event.detail());
    }
}
