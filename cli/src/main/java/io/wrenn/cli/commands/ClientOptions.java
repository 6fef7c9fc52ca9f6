package io.wrenn.cli.commands;

import io.wrenn.sdk.Wrenn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Which Wrenn a verb talks to, and as whom: {@code --url}, else {@code WRENN_URL}, else the
 * saved config, else {@code http://127.0.0.1:8080}; the key from {@code WRENN_API_KEY}, else
 * the saved config, else (for the local server) the key {@code wrenn up} wrote to
 * {@code $WRENN_HOME/api-key}. A picocli mixin; the environment and the way a client is made
 * come from {@link ClientCommands}, so tests can give their own.
 */
public final class ClientOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--url", paramLabel = "URL", description = "Wrenn's address (default: $WRENN_URL, the saved login, http://127.0.0.1:8080)")
    String url;

    private Environment environment() {
        return ClientCommands.environment(mixee.commandLine());
    }

    /** The server's address as resolved. */
    String resolvedUrl() {
        Map<String, String> env = environment().variables();
        ClientConfig config = environment().config();
        if (url != null) {
            return url;
        }
        if (env.get("WRENN_URL") != null && !env.get("WRENN_URL").isBlank()) {
            return env.get("WRENN_URL");
        }
        return config.url() != null ? config.url() : Wrenn.DEFAULT_URL;
    }

    /** The API key as resolved. */
    String resolvedApiKey() {
        Map<String, String> env = environment().variables();
        if (env.get("WRENN_API_KEY") != null && !env.get("WRENN_API_KEY").isBlank()) {
            return env.get("WRENN_API_KEY").strip();
        }
        ClientConfig config = environment().config();
        if (config.apiKey() != null && (url == null || url.equals(config.url()))) {
            return config.apiKey();
        }
        if (resolvedUrl().equals(Wrenn.DEFAULT_URL)) {
            Path local = Path.of(env.getOrDefault("WRENN_HOME", System.getProperty("user.home") + "/.wrenn"), "api-key");
            if (Files.isReadable(local)) {
                try {
                    return Files.readString(local).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new ParameterException(mixee.commandLine(),
                "no API key: set WRENN_API_KEY or run `wrenn login` first");
    }

    /** A client acting with the team's API key. */
    Wrenn client() {
        return environment().connector().connect(Wrenn.builder().url(resolvedUrl()).apiKey(resolvedApiKey()));
    }

    /** A client acting as a person (for verbs that need one, such as keys). */
    Wrenn personClient(String email, String password) {
        return environment().connector().connect(Wrenn.builder().url(resolvedUrl()).login(email, password));
    }
}
