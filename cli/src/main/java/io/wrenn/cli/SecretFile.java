package io.wrenn.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/** A secret kept in a file only its owner can read (mode 0600), created atomically. */
final class SecretFile {
    private SecretFile() {}

    static Optional<String> read(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String secret) {
        try {
            Files.createDirectories(file.getParent());
            // Written under a temporary name with its final mode, then renamed: a crash never
            // leaves a half-written or world-readable secret.
            Path temporary = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The operator's token for the Prometheus endpoints: {@code WRENN_METRICS_TOKEN} when set,
     * else the home's {@code metrics-token} file (made at first start).
     */
    static String metricsToken(Path file) {
        String fromEnvironment = System.getenv("WRENN_METRICS_TOKEN");
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment.strip() : readOrCreateRandom(file);
    }

    /** The agent's Prometheus port: {@code WRENN_AGENT_METRICS_PORT}, else 0 (any free port, logged). */
    static int agentMetricsPort() {
        String value = System.getenv("WRENN_AGENT_METRICS_PORT");
        if (value == null || value.isBlank()) {
            return 0;
        }
        int port = Integer.parseInt(value.strip());
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("WRENN_AGENT_METRICS_PORT out of range: " + value);
        }
        return port;
    }

    static String readOrCreateRandom(Path file) {
        return read(file).orElseGet(() -> {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String secret = HexFormat.of().formatHex(bytes);
            write(file, secret);
            return secret;
        });
    }
}
