package io.wrenn.cli.commands;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The controlling terminal ({@code /dev/tty}) through {@code stty}: its size, and raw mode
 * (no echo, no line editing, no signals from Ctrl-C: every key goes to the sandbox) with the
 * previous settings restored afterwards.
 */
final class Terminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");

    private final String saved;

    private Terminal(String saved) {
        this.saved = saved;
    }

    /** True when this process has a controlling terminal. */
    static boolean present() {
        return TTY.canRead() && stty("-g").isPresent();
    }

    /** Columns and rows, if there is a terminal. */
    static Optional<int[]> size() {
        return stty("size").map(text -> {
            String[] parts = text.strip().split("\\s+");
            return new int[] {Integer.parseInt(parts[1]), Integer.parseInt(parts[0])};
        }).filter(size -> size[0] > 0 && size[1] > 0);
    }

    /** Switches the terminal to raw mode until {@link #close()}. */
    static Terminal raw() {
        String saved = stty("-g").orElseThrow(() -> new IllegalStateException("no terminal to put in raw mode")).strip();
        stty("raw", "-echo");
        return new Terminal(saved);
    }

    @Override
    public void close() {
        stty(saved);
    }

    private static Optional<String> stty(String... arguments) {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(arguments));
        try {
            Process stty = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(TTY))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return stty.waitFor() == 0 ? Optional.of(output) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
