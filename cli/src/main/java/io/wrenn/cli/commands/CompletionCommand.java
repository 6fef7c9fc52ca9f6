package io.wrenn.cli.commands;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wrenn completion}: the shell completion script for bash and zsh. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print the completion script for bash or zsh.",
        footer = {"", "Examples:", "  source <(wrenn completion bash)         # in ~/.bashrc",
                "  source <(wrenn completion zsh)          # in ~/.zshrc"})
public final class CompletionCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash or zsh (default: ${DEFAULT-VALUE})")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "bash or zsh, not " + shell);
        }
        // picocli's script serves both; zsh runs it through bashcompinit.
        String script = AutoComplete.bash("wrenn", command.root().commandLine());
        if (shell.equals("zsh")) {
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        command.commandLine().getOut().print(script);
        command.commandLine().getOut().flush();
        return 0;
    }
}
