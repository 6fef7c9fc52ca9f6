package io.wrenn.controlplane.instance;

import java.time.Duration;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * This control plane among those sharing the database: a random id per process, and a
 * heartbeat in {@code control_plane_instances}. A row left in passing by a call in flight (a
 * {@code starting} sandbox, a {@code pending} audit entry) names its writer; when the writer stops beating, whoever reconciles
 * knows the call died with it, instead of waiting out the longest deadline the call could have had.
 * Liveness is judged by the database's clock only, so control planes on skewed clocks agree.
 */
public final class ControlPlaneInstances {

    /** How often a live control plane says so. */
    public static final Duration BEAT = Duration.ofSeconds(5);
    /**
     * Silence after which a control plane counts as gone: six missed beats, so that a long GC
     * pause or a slow database is not taken for a death (the price of the mistake is a create
     * that fails although its VM was about to boot, never a VM left behind).
     */
    public static final Duration GONE_AFTER = Duration.ofSeconds(30);
    /** Rows of instances gone this long are deleted: nothing can still name them in flight. */
    private static final Duration FORGOTTEN_AFTER = Duration.ofDays(1);

    private final Jdbi jdbi;
    private final UUID self = UUID.randomUUID();

    public ControlPlaneInstances(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public UUID self() {
        return self;
    }

    /** Records that this control plane is alive now (and forgets instances long gone). */
    public void beat() {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO control_plane_instances (id) VALUES (:id)
                    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()""").bind("id", self).execute();
            h.createUpdate("DELETE FROM control_plane_instances WHERE heartbeat_at < now() - CAST(:age AS interval)")
                    .bind("age", FORGOTTEN_AFTER.toSeconds() + " seconds").execute();
        });
    }

    /**
     * SQL that holds when the control plane {@code column} names is gone: it has not beaten for
     * {@link #GONE_AFTER} (or never did, or retired). The one definition for every row that names
     * its writer; bind {@code :gone} to {@link #goneAfterInterval()}.
     */
    public static String goneSql(String column) {
        return "NOT EXISTS (SELECT 1 FROM control_plane_instances c WHERE c.id = " + column
                + " AND c.heartbeat_at > now() - CAST(:gone AS interval))";
    }

    /** {@link #GONE_AFTER} as the PostgreSQL interval {@link #goneSql} binds. */
    public static String goneAfterInterval() {
        return GONE_AFTER.toMillis() + " milliseconds";
    }

    /** A clean stop: what this control plane had in flight is abandoned now, not after {@link #GONE_AFTER}. */
    public void retire() {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM control_plane_instances WHERE id = :id").bind("id", self).execute());
    }
}
