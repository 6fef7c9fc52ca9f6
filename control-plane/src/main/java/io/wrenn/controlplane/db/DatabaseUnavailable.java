package io.wrenn.controlplane.db;

import java.sql.SQLException;

/**
 * Tells a failure that came from the database being down or unreachable from any other: no
 * connection within the pool's wait, or a connection that broke under a statement (the server
 * stopped, crashed or is starting). Those are the client's to retry, not a fault of Wrenn's.
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {
    }

    public static boolean causedBy(Throwable failure) {
        return reason(failure) != null;
    }

    /** The cause that says the database is unavailable, or null if there is none. */
    public static Throwable reason(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.jdbi.v3.core.ConnectionException) {
                return cause.getCause() != null ? cause.getCause() : cause;
            }
            if (cause instanceof SQLException sql && unavailable(sql.getSQLState())) {
                return sql;
            }
        }
        return null;
    }

    /**
     * SQLSTATE class 08 (connection exception), 57P01-57P03 (the server shutting down by an
     * administrator's command, crashing, or not accepting connections yet).
     */
    private static boolean unavailable(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }
}
