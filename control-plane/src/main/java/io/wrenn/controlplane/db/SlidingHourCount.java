package io.wrenn.controlplane.db;

import org.jdbi.v3.core.Jdbi;

/**
 * Events per key over a sliding hour, kept in a table of the database so every control plane
 * counts the same: each count is a row ({@code keyColumn}, {@code timeColumn} defaulting to now),
 * rows older than an hour are dropped as counts are made, and a transaction-scoped advisory lock
 * per key makes two counts of the same key at once see each other.
 */
public final class SlidingHourCount {

    private final Jdbi jdbi;
    private final String table;
    private final String keyColumn;
    private final String timeColumn;
    private final int perHour;

    /** Names come from the caller's code, never from a request: they are written into the SQL. */
    public SlidingHourCount(Jdbi jdbi, String table, String keyColumn, String timeColumn, int perHour) {
        if (perHour < 1) {
            throw new IllegalArgumentException(table + ": at least 1 per hour");
        }
        this.jdbi = jdbi;
        this.table = table;
        this.keyColumn = keyColumn;
        this.timeColumn = timeColumn;
        this.perHour = perHour;
    }

    /** Counts an event of {@code key} if fewer than the limit happened in the last hour; says whether it did. */
    public boolean tryCount(String key) {
        return jdbi.inTransaction(h -> {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:lock, 0))) AS locked")
                    .bind("lock", table + ":" + key).mapTo(Integer.class).one();
            h.createUpdate("DELETE FROM " + table + " WHERE " + timeColumn + " < now() - interval '1 hour'").execute();
            int recent = h.createQuery("SELECT count(*) FROM " + table + " WHERE " + keyColumn + " = :key")
                    .bind("key", key).mapTo(Integer.class).one();
            if (recent >= perHour) {
                return false;
            }
            h.createUpdate("INSERT INTO " + table + " (" + keyColumn + ") VALUES (:key)").bind("key", key).execute();
            return true;
        });
    }

    /**
     * How long until an event of {@code key} would be counted, without counting one: empty if it
     * would be now. The limit's worth of newest events must shrink by one, so the wait ends when
     * the {@code perHour}-th newest leaves the hour.
     */
    public java.util.Optional<java.time.Duration> waitBeforeNext(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT (extract(epoch FROM " + timeColumn + " + interval '1 hour' - now()) * 1000)::bigint"
                        + " FROM " + table + " WHERE " + keyColumn + " = :key AND " + timeColumn + " >= now() - interval '1 hour'"
                        + " ORDER BY " + timeColumn + " DESC OFFSET :skip LIMIT 1")
                .bind("key", key).bind("skip", perHour - 1).mapTo(Long.class).findOne())
                .filter(millis -> millis > 0)
                .map(java.time.Duration::ofMillis);
    }
}
