package io.wrenn.controlplane.testing;

import io.wrenn.embeddeddb.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for the whole test JVM (starting one costs seconds), stopped by a
 * shutdown hook; each caller gets a database of its own inside it.
 */
public final class TestPostgres {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedDatabase server;

    private TestPostgres() {
    }

    private static synchronized EmbeddedDatabase server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("wrenn-test-pg");
                server = EmbeddedDatabase.start(dir.resolve("data"));
                EmbeddedDatabase started = server;
                // Stopped and removed when the test JVM exits: each cluster takes ~430 MB of /tmp.
                // At once: a clean stop's checkpoint can outlast the time a test JVM has to exit.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.discard();
                    deleteTree(dir);
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    /** A JDBC URL of a new, empty database. */
    public static String newDatabase() {
        EmbeddedDatabase pg = server();
        String name = "wrenn_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        // Wrenn's role may not create databases: the superuser does, for it.
        try (Connection c = DriverManager.getConnection(pg.superuserJdbcUrl(), pg.superuser(), pg.superuserPassword())) {
            c.createStatement().execute("CREATE DATABASE " + name + " OWNER " + pg.user());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return pg.jdbcUrl().replace("/postgres?", "/" + name + "?");
    }

    /** Drops the database of {@code jdbcUrl} (made by {@link #newDatabase()}), ending its open connections: it is gone for whoever used it. */
    public static void dropDatabase(String jdbcUrl) {
        EmbeddedDatabase pg = server();
        String name = jdbcUrl.replaceFirst("^.*/([a-z0-9_]+)\\?.*$", "$1");
        if (!name.startsWith("wrenn_test_")) {
            throw new IllegalArgumentException("not a test database: " + jdbcUrl);
        }
        try (Connection c = DriverManager.getConnection(pg.superuserJdbcUrl(), pg.superuser(), pg.superuserPassword())) {
            c.createStatement().execute("DROP DATABASE " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String user() {
        return server().user();
    }

    public static String password() {
        return server().password();
    }
}
