package io.wrenn.cli.commands;

import io.wrenn.sdk.ApiKey;
import io.wrenn.sdk.ApiKeys;
import io.wrenn.sdk.Wrenn;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code wrenn keys …}: the team's API keys. Keys are managed by people (owners and admins),
 * not by keys: each verb logs in with the email of {@code wrenn login} (or {@code --email})
 * and a password from the terminal, {@code --password-stdin} or {@code WRENN_PASSWORD}.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list and revoke the team's API keys.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Remove.class})
public final class KeysCommand {

    /** Logging in as a person, shared by the verbs. */
    static final class Person {
        @Option(names = "--email", description = "who logs in (default: the email of wrenn login)") String email;
        @Option(names = "--password-stdin", description = "read the password from standard input") boolean passwordStdin;

        Wrenn login(ClientOptions client, picocli.CommandLine commandLine) {
            Environment environment = ClientCommands.environment(commandLine);
            String who = email != null ? email : environment.config().email();
            if (who == null) {
                throw new ParameterException(commandLine, "--email is needed (or run wrenn login first)");
            }
            return client.personClient(who, Passwords.read(environment, passwordStdin));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; prints it once.",
            footer = {"", "Example:", "  wrenn keys create ci --json | jq -r .key"})
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec command;
        @Mixin ClientOptions client;
        @Mixin Person person;
        @Mixin Output output;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            try (Wrenn wrenn = person.login(client, command.commandLine())) {
                ApiKeys.Created created = wrenn.apiKeys().create(name);
                output.value(created, List.of(new String[] {"key", created.key()}, new String[] {"id", created.info().id()},
                        new String[] {"name", created.info().name()}));
            }
            return 0;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List the team's keys.",
            footer = {"", "Example:", "  wrenn keys list --email ada@example.com"})
    static final class ListKeys implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec command;
        @Mixin ClientOptions client;
        @Mixin Person person;
        @Mixin Output output;

        @Override
        public Integer call() {
            try (Wrenn wrenn = person.login(client, command.commandLine())) {
                output.table(wrenn.apiKeys().list(), List.of("ID", "NAME", "PREFIX", "CREATED BY", "CREATED", "LAST USED"),
                        (ApiKey k) -> List.of(k.id(), k.name(), k.prefix(), String.valueOf(k.createdBy()),
                                String.valueOf(k.createdAt()), String.valueOf(k.lastUsedAt())));
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke keys; they stop working on the next call.",
            footer = {"", "Example:", "  wrenn keys rm key-…"})
    static final class Remove implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec command;
        @Mixin ClientOptions client;
        @Mixin Person person;
        @Parameters(paramLabel = "KEY_ID", arity = "1..*") List<String> ids;

        @Override
        public Integer call() {
            try (Wrenn wrenn = person.login(client, command.commandLine())) {
                ids.forEach(wrenn.apiKeys()::revoke);
            }
            return 0;
        }
    }
}
