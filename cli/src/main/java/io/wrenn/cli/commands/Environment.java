package io.wrenn.cli.commands;

import io.wrenn.sdk.Wrenn;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the client verbs take from outside: environment variables, the config file, standard
 * input and how a client is made. {@link #system()} is the real one; tests give their own
 * (e.g. a connector that answers a {@code WrennFake}).
 *
 * @param variables  environment variables
 * @param configFile where the saved login lives
 * @param stdin      standard input
 * @param connector  makes a client from a configured builder
 */
public record Environment(Map<String, String> variables, Path configFile, InputStream stdin, Connector connector) {

    /** Makes a client; the real one builds it. */
    @FunctionalInterface
    public interface Connector {
        Wrenn connect(Wrenn.Builder configured);
    }

    /** This process's environment. */
    public static Environment system() {
        return new Environment(System.getenv(), ClientConfig.location(System.getenv()), System.in, Wrenn.Builder::build);
    }

    ClientConfig config() {
        return ClientConfig.load(configFile);
    }
}
