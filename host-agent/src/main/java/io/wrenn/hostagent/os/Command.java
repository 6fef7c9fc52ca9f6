package io.wrenn.hostagent.os;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One external program to run: its argv, where its output goes and how long it may take.
 *
 * @param argv       program and arguments, never interpreted by a shell
 * @param outputFile when set, stdout and stderr are appended to this file instead of being
 *                   captured; required for programs that are spawned rather than awaited (see
 *                   {@link CommandRunner#spawn}), which would otherwise hold our pipe open forever
 * @param timeout    how long to wait for the program to exit
 */
public record Command(List<String> argv, Path outputFile, Duration timeout) {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty");
        }
        Objects.requireNonNull(timeout, "timeout is null");
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), null, DEFAULT_TIMEOUT);
    }

    public static Command of(List<String> argv) {
        return new Command(argv, null, DEFAULT_TIMEOUT);
    }

    public Command withOutputFile(Path file) {
        return new Command(argv, file, timeout);
    }

    public Command withTimeout(Duration newTimeout) {
        return new Command(argv, outputFile, newTimeout);
    }
}
