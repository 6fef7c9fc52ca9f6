package io.wrenn.cli;

import io.wrenn.cli.commands.ClientCommands;
import io.wrenn.cli.commands.CompletionCommand;
import io.wrenn.cli.commands.Environment;
import io.wrenn.cli.commands.KeysCommand;
import io.wrenn.cli.commands.LoginCommand;
import io.wrenn.cli.commands.LogsCommand;
import io.wrenn.cli.commands.SandboxCommand;
import io.wrenn.cli.commands.TemplateCommand;
import picocli.CommandLine.Command;

/** The `wrenn` command: one launcher for every role and verb. */
@Command(name = "wrenn", mixinStandardHelpOptions = true, version = "wrenn 0.1.0",
        description = "microVM sandboxes for AI agents and untrusted code",
        subcommands = {UpCommand.class, AgentCommand.class, BenchCommand.class, SoakCommand.class, SmokeCommand.class, LoginCommand.class,
                SandboxCommand.class, LogsCommand.class, TemplateCommand.class, KeysCommand.class, CompletionCommand.class})
public final class Wrenn {
    public static void main(String[] args) {
        // Before any HTTP client runs: the traffic path sets the Host a sandbox's server sees.
        io.wrenn.hostagent.traffic.RequestHost.enable();
        Logging.install();
        System.exit(ClientCommands.commandLine(new Wrenn(), Environment.system()).execute(args));
    }
}
