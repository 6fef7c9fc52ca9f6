package io.wrenn.embeddeddb;

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
 *
 * <p>The server is locked: it accepts only password (SCRAM) connections on the loopback, and
 * Wrenn connects as {@code wrenn}, a role that is no superuser and owns Wrenn's schema only (so
 * it cannot run programs through {@code COPY ... TO PROGRAM} or read the server's files). The
 * passwords of {@code wrenn} and of the superuser are generated at the first start into
 * {@code postgres-passwords} (0600) next to the data directory. A data directory of an earlier
 * Wrenn (trust authentication, everything owned by the superuser) is locked at its next start:
 * its schema is handed to {@code wrenn} and its {@code pg_hba.conf} rewritten.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final String SUPERUSER = "postgres";
    /** The role Wrenn connects as. */
    private static final String USER = "wrenn";
    private static final String DATABASE = "postgres";
    /** The first line of a {@code pg_hba.conf} that Wrenn locked. */
    static final String LOCKED_MARKER = "# wrenn: password (SCRAM) connections only";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final Passwords passwords;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, Passwords passwords) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.passwords = passwords;
    }

    /** The generated passwords of the superuser and of {@code wrenn}, kept in a 0600 file. */
    record Passwords(String superuser, String wrenn) {
        static Passwords loadOrCreate(Path file) throws IOException {
            if (Files.exists(file)) {
                java.util.Properties read = new java.util.Properties();
                try (var in = Files.newBufferedReader(file)) {
                    read.load(in);
                }
                String superuser = read.getProperty("superuser", "");
                String wrenn = read.getProperty("wrenn", "");
                if (!superuser.isEmpty() && !wrenn.isEmpty()) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    return new Passwords(superuser, wrenn);
                }
            }
            Passwords fresh = new Passwords(generate(), generate());
            Path staging = file.resolveSibling(file.getFileName() + ".new");
            Files.deleteIfExists(staging);
            Files.createFile(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(staging, "superuser=" + fresh.superuser + "\nwrenn=" + fresh.wrenn + "\n");
            Files.move(staging, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return fresh;
        }

        private static String generate() {
            byte[] bytes = new byte[24];
            new java.security.SecureRandom().nextBytes(bytes);
            return java.util.HexFormat.of().formatHex(bytes);
        }
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
            Passwords passwords = Passwords.loadOrCreate(passwordFile(data));
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    // The owner of this object stops the server; a JVM shutdown hook per
                    // instance would race with it.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // The launcher turns both off for speed (synchronous_commit, and fsync by its
                    // -F flag); a commit must survive a kill -9 of the server or a power cut (a
                    // sandbox marked running, then the server killed, stays running).
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    // The launcher's own readiness check connects as the superuser.
                    .setConnectConfig("password", passwords.superuser())
                    .start();
            try {
                lock(postgres, data, passwords);
            } catch (IOException | java.sql.SQLException | RuntimeException e) {
                postgres.close();
                throw new IOException("could not lock the embedded PostgreSQL: " + e.getMessage(), e);
            }
            log.info("embedded PostgreSQL started on port {} with data in {}", postgres.getPort(), data);
            return new EmbeddedDatabase(postgres, data, passwords);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }

    /** Where the passwords of the server in {@code data} are kept: next to it, outside it. */
    static Path passwordFile(Path data) {
        return data.resolveSibling(data.getFileName() + "-passwords");
    }

    /**
     * Makes sure {@code wrenn} exists with its password and owns Wrenn's schema, the superuser
     * has its password, and {@code pg_hba.conf} admits only SCRAM on the loopback. Runs at every
     * start (each step is idempotent): a cluster of an earlier Wrenn still trusts everyone until
     * this is done, so it is done before anyone is told the server is up.
     */
    private static void lock(EmbeddedPostgres postgres, Path data, Passwords passwords)
            throws IOException, java.sql.SQLException {
        try (java.sql.Connection c = postgres.getDatabase(SUPERUSER, DATABASE).getConnection();
                java.sql.Statement sql = c.createStatement()) {
            sql.execute("SET password_encryption = 'scram-sha-256'");
            sql.execute("ALTER ROLE " + SUPERUSER + " PASSWORD " + literal(passwords.superuser()));
            sql.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + USER + "') THEN "
                    + "CREATE ROLE " + USER + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION; END IF; END $$");
            sql.execute("ALTER ROLE " + USER + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD "
                    + literal(passwords.wrenn()));
            sql.execute("ALTER SCHEMA public OWNER TO " + USER);
            // What an earlier Wrenn created as the superuser: tables first (their sequences and
            // row types follow them), then whatever is left.
            sql.execute("""
                    DO $$ DECLARE r record; BEGIN
                      FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relowner <> 'wrenn'::regrole LOOP
                        EXECUTE format('ALTER TABLE public.%I OWNER TO wrenn', r.relname);
                      END LOOP;
                      FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = 'public' AND c.relkind IN ('S', 'v', 'm') AND c.relowner <> 'wrenn'::regrole LOOP
                        EXECUTE format('ALTER %s public.%I OWNER TO wrenn',
                            CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, r.relname);
                      END LOOP;
                      FOR r IN SELECT p.oid::regprocedure AS routine FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                               WHERE n.nspname = 'public' AND p.proowner <> 'wrenn'::regrole LOOP
                        EXECUTE format('ALTER ROUTINE %s OWNER TO wrenn', r.routine);
                      END LOOP;
                      FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                               WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND t.typowner <> 'wrenn'::regrole LOOP
                        EXECUTE format('ALTER TYPE public.%I OWNER TO wrenn', r.typname);
                      END LOOP;
                    END $$""");
            Path hba = data.resolve("pg_hba.conf");
            Files.writeString(hba, LOCKED_MARKER + "\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n");
            sql.execute("SELECT pg_reload_conf()");
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A JDBC URL for the server's {@code postgres} database, as Wrenn's role {@code wrenn}. */
    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE);
    }

    /** Wrenn's role: no superuser, the owner of Wrenn's schema. */
    public String user() {
        return USER;
    }

    /** The password of {@link #user()}. */
    public String password() {
        return passwords.wrenn();
    }

    /** The superuser, for what only it may do (tests create databases with it); never Wrenn's own connections. */
    public String superuser() {
        return SUPERUSER;
    }

    public String superuserPassword() {
        return passwords.superuser();
    }

    /** A JDBC URL for the server's {@code postgres} database, as the superuser. */
    public String superuserJdbcUrl() {
        return postgres.getJdbcUrl(SUPERUSER, DATABASE);
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

    /**
     * Stops the server at once, without its shutdown checkpoint (PostgreSQL's immediate mode,
     * SIGQUIT): for a cluster whose data is deleted next, such as a test JVM's, whose exit must
     * not wait for a checkpoint that durable commits make slow on a busy machine.
     */
    public void discard() {
        Optional<ProcessHandle> server = serverProcess(dataDirectory);
        if (server.isEmpty()) {
            return;
        }
        ProcessHandle process = server.get();
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).inheritIO().start().waitFor();
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
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
