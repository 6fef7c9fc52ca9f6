package io.wrenn.cli.commands;

import io.wrenn.sdk.SandboxEvent;
import io.wrenn.sdk.Wrenn;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wrenn logs} (and {@code wrenn sandbox logs}): what happened to a sandbox — its
 * lifecycle and the API calls made on it. Its guest's own output is read with {@code exec}.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Show what happened to a sandbox, oldest first: created, running, paused, stopped",
                "(with why, e.g. timeout) and every API call made on it, with its outcome and who made it.",
                "The guest's own output is not part of it: read its files or run a command with exec."},
        footer = {"", "Examples:", "  wrenn logs sb-…", "  wrenn logs sb-… --limit 20 --json",
                "  wrenn sandbox exec sb-… -- tail -n 50 /var/log/app.log   # the guest's own logs"})
public final class LogsCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(paramLabel = "SANDBOX") String id;
    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "100",
            description = "the newest N events, 1 to 1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        try (Wrenn wrenn = client.client()) {
            output.table(wrenn.sandboxes().connect(id).logs(limit), List.of("TIME", "EVENT", "RESULT", "BY", "DETAIL"),
                    LogsCommand::columns);
        }
        return 0;
    }

    private static List<String> columns(SandboxEvent event) {
        String result = event.status() == null ? null : event.status() + " " + event.outcome();
        return java.util.Arrays.asList(event.at().toString(), event.event(), result, event.actor(), event.detail());
    }
}
