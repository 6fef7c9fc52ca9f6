package io.wrenn.cli.commands;

import io.wrenn.sdk.ApiKeys;
import io.wrenn.sdk.Wrenn;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wrenn login}: logs in with email and password, creates an API key for this machine
 * and saves server, key and email in the user's config (0600), so later verbs need nothing
 * set. With {@code --api-key-stdin} it saves a key given on standard input instead, after
 * checking that it works.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in and save an API key for this machine in ~/.config/wrenn/config.json.",
                "The password is asked on the terminal, or read with --password-stdin or from WRENN_PASSWORD."},
        footer = {"", "Examples:", "  wrenn login --url http://wrenn.example:8080 --email ada@example.com",
                "  echo \"$PASSWORD\" | wrenn login --email ada@example.com --password-stdin",
                "  cat key.txt | wrenn login --api-key-stdin"})
public final class LoginCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin ClientOptions client;

    @Option(names = "--email") String email;
    @Option(names = "--password-stdin", description = "read the password from standard input") boolean passwordStdin;
    @Option(names = "--api-key-stdin", description = "save the API key given on standard input instead of logging in")
    boolean apiKeyStdin;
    @Option(names = "--key-name", paramLabel = "NAME", description = "name of the key created (default: cli@HOSTNAME)")
    String keyName;

    @Override
    public Integer call() throws IOException {
        Environment environment = ClientCommands.environment(command.commandLine());
        String url = client.resolvedUrl();
        if (apiKeyStdin) {
            String key = new BufferedReader(new InputStreamReader(environment.stdin(), StandardCharsets.UTF_8)).readLine();
            if (key == null || key.isBlank()) {
                throw new ParameterException(command.commandLine(), "--api-key-stdin: no key on standard input");
            }
            try (Wrenn wrenn = environment.connector().connect(Wrenn.builder().url(url).apiKey(key.strip()))) {
                wrenn.templates().list();
            }
            new ClientConfig(url, key.strip(), null).save(environment.configFile());
            command.commandLine().getOut().println("Saved the key for " + url + " in " + environment.configFile());
            command.commandLine().getOut().flush();
            return 0;
        }
        if (email == null) {
            email = environment.config().email();
        }
        if (email == null) {
            throw new ParameterException(command.commandLine(), "--email is needed (or --api-key-stdin)");
        }
        String password = Passwords.read(environment, passwordStdin);
        ApiKeys.Created key;
        try (Wrenn person = client.personClient(email, password)) {
            key = person.apiKeys().create(keyName != null ? keyName : "cli@" + hostName());
        }
        new ClientConfig(url, key.key(), email).save(environment.configFile());
        command.commandLine().getOut().println("Logged in to " + url + " as " + email + "; key " + key.info().name()
                + " (" + key.info().prefix() + "…) saved in " + environment.configFile());
        command.commandLine().getOut().flush();
        return 0;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
