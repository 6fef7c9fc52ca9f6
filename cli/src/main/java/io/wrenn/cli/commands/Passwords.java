package io.wrenn.cli.commands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A person's password for the verbs that log in: {@code --password-stdin} (first line of
 * standard input), else {@code WRENN_PASSWORD}, else asked on the terminal without echo.
 * Never an argument: arguments are visible to every user of the machine.
 */
final class Passwords {
    private Passwords() {
    }

    static String read(Environment environment, boolean fromStdin) {
        if (fromStdin) {
            try {
                String line = new BufferedReader(new InputStreamReader(environment.stdin(), StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new IllegalArgumentException("--password-stdin: no password on standard input");
                }
                return line;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String fromEnv = environment.variables().get("WRENN_PASSWORD");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        if (System.console() == null) {
            throw new IllegalArgumentException("no terminal to ask for the password: use --password-stdin or WRENN_PASSWORD");
        }
        char[] typed = System.console().readPassword("Password: ");
        if (typed == null || typed.length == 0) {
            throw new IllegalArgumentException("no password given");
        }
        return new String(typed);
    }
}
