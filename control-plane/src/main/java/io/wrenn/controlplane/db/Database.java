package io.wrenn.controlplane.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The control plane's PostgreSQL: a connection pool, the schema brought up to date by
 * Flyway at open, and a {@link Jdbi} over both. Closing it closes the pool.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Connects, migrates and returns the database; fails if either step fails. */
    public static Database open(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("wrenn-db");
        // Requests run on virtual threads, so the pool, not the thread count, bounds DB load.
        config.setMaximumPoolSize(16);
        // A request waits this long for a connection. With the database up one frees within
        // milliseconds even when every connection is busy, so a longer wait only means the
        // database is gone, and the client is better told so (503 database_unavailable) at once.
        config.setConnectionTimeout(java.time.Duration.ofSeconds(5).toMillis());
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            // Out of order: migration numbers are handed out in ranges, so a lower one can arrive after a
            // higher one was applied (it is still applied, once).
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").outOfOrder(true).load().migrate();
            return new Database(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** What {@link #dedicatedConnection} calls itself in {@code pg_stat_activity}. */
    public static final String DEDICATED_APPLICATION_NAME = "wrenn-listener";

    /** A connection of its own, outside the pool, for what holds one for good (LISTEN). */
    public java.sql.Connection dedicatedConnection() throws java.sql.SQLException {
        java.util.Properties properties = new java.util.Properties();
        if (dataSource.getUsername() != null) {
            properties.setProperty("user", dataSource.getUsername());
        }
        if (dataSource.getPassword() != null) {
            properties.setProperty("password", dataSource.getPassword());
        }
        properties.setProperty("ApplicationName", DEDICATED_APPLICATION_NAME);
        return java.sql.DriverManager.getConnection(dataSource.getJdbcUrl(), properties);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
