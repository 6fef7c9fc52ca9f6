package io.wrenn.controlplane.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (the binaries come from Maven Central) whose data lives in a
 * directory of the caller's choice, so data survives restarts: the cluster is initialised
 * only when the directory holds none yet.
 *
 * <p>PostgreSQL refuses to run as root; when started by root the launcher runs it in a user
 * namespace ({@code unshare -U}), where the server is an unprivileged user that still owns the
 * files root created. {@link #close()} stops the server and waits for it, leaving no process.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final String USER = "postgres";
    private static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts PostgreSQL on a free loopback port with its data in {@code dataDirectory}
     * (created if missing). Blocks until the server accepts connections.
     */
    public static EmbeddedDatabase start(Path dataDirectory) {
        try {
            Path data = dataDirectory.toAbsolutePath().normalize();
            prepareDirectory(data);
            stopLeftoverServer(data);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    // The owner of this object stops the server; a JVM shutdown hook per
                    // instance would race with it.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
            log.info("embedded PostgreSQL started on port {} with data in {}", postgres.getPort(), data);
            return new EmbeddedDatabase(postgres, data);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }

    /** A JDBC URL for the server's {@code postgres} database. */
    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE);
    }

    public String user() {
        return USER;
    }

    /** The embedded server trusts local connections; there is no password. */
    public String password() {
        return "";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() {
        Optional<ProcessHandle> server = serverProcess(dataDirectory);
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
        }
        // pg_ctl returns once the pid file is gone, a moment before the server has exited.
        server.ifPresent(process -> {
            try {
                process.onExit().get(15, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                log.warn("PostgreSQL (pid {}) did not exit; killing it", process.pid());
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The server that holds {@code data}, according to its pid file, if it is alive. */
    private static Optional<ProcessHandle> serverProcess(Path data) {
        try {
            Path pidFile = data.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : parsePid(lines.getFirst()).flatMap(ProcessHandle::of)
                    .filter(p -> p.isAlive() && p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * PostgreSQL wants its data directory private to its owner (0700); its parent only needs
     * to exist. A directory we create ourselves gets the right mode from the start.
     */
    private static void prepareDirectory(Path data) throws IOException {
        Files.createDirectories(data.getParent());
        if (!Files.exists(data)) {
            Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * If the JVM that owned this directory died without stopping its server, that server
     * still holds the directory (postmaster.pid names it) and a new one could not start.
     * Ask it to stop fast and wait; a pid file of a dead process is left to PostgreSQL,
     * which ignores stale ones.
     */
    private static void stopLeftoverServer(Path data) throws IOException {
        Optional<ProcessHandle> leftover = serverProcess(data);
        if (leftover.isEmpty()) {
            return;
        }
        ProcessHandle process = leftover.get();
        log.warn("stopping a PostgreSQL server (pid {}) left running on {}", process.pid(), data);
        // SIGTERM is PostgreSQL's "smart" shutdown; SIGINT, its "fast" one, is not reachable
        // from ProcessHandle, and the old server's clients are gone anyway.
        process.destroy();
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
