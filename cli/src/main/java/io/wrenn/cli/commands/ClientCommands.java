package io.wrenn.cli.commands;

import io.wrenn.sdk.WrennException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Wires the client verbs into the {@code wrenn} command line: the environment they read
 * (through picocli's factory, so every {@link ClientOptions} gets it) and how failures become
 * messages and exit codes.
 *
 * <p>Exit codes: 0 success; for {@code sandbox exec} the command's own; 1 a refusal or failure
 * of Wrenn (its error code is printed); 2 a usage error; 3 Wrenn could not be reached or did
 * not answer in time.
 */
public final class ClientCommands {
    /** Wrenn refused or failed the call. */
    public static final int EXIT_WRENN_ERROR = 1;
    /** Wrenn could not be reached or did not answer in time. */
    public static final int EXIT_UNREACHABLE = 3;

    private ClientCommands() {
    }

    /** The command line for {@code root} with the client verbs reading {@code environment}. */
    public static CommandLine commandLine(Object root, Environment environment) {
        CommandLine commandLine = new CommandLine(root, new Factory(environment));
        commandLine.setExecutionExceptionHandler(ClientCommands::failed);
        return commandLine;
    }

    static Environment environment(CommandLine commandLine) {
        CommandLine.IFactory factory = commandLine.getFactory();
        return factory instanceof Factory ? ((Factory) factory).environment : Environment.system();
    }

    private static int failed(Exception failure, CommandLine commandLine, CommandLine.ParseResult parsed) {
        var err = commandLine.getErr();
        if (failure instanceof WrennException wrenn) {
            err.println("wrenn: " + (wrenn.getMessage() == null ? wrenn.code() : wrenn.getMessage())
                    + " (" + wrenn.code() + ")");
            err.flush();
            return wrenn.httpStatus() == 0 ? EXIT_UNREACHABLE : EXIT_WRENN_ERROR;
        }
        if (failure instanceof UncheckedIOException || failure instanceof IllegalStateException
                || failure instanceof IllegalArgumentException) {
            err.println("wrenn: " + failure.getMessage());
            err.flush();
            return EXIT_WRENN_ERROR;
        }
        throw new RuntimeException(failure);
    }

    private static final class Factory implements CommandLine.IFactory {
        private final Environment environment;
        private final CommandLine.IFactory defaults = CommandLine.defaultFactory();

        Factory(Environment environment) {
            this.environment = environment;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            return defaults.create(type);
        }
    }
}
