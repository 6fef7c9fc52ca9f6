package io.wrenn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `wrenn` command: one launcher for every role and verb. */
@Command(name = "wrenn", mixinStandardHelpOptions = true, version = "wrenn 0.1.0",
        description = "microVM sandboxes for AI agents and untrusted code",
        subcommands = {UpCommand.class, AgentCommand.class, BenchCommand.class})
public final class Wrenn {
    public static void main(String[] args) {
        Logging.install();
        System.exit(new CommandLine(new Wrenn()).execute(args));
    }
}
