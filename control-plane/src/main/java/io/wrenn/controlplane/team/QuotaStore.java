package io.wrenn.controlplane.team;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Teams' quotas in PostgreSQL (team_quotas); a missing row or column means the default. */
public final class QuotaStore {

    private final Jdbi jdbi;
    private final TeamQuota defaults;

    public QuotaStore(Jdbi jdbi, TeamQuota defaults) {
        this.jdbi = jdbi;
        this.defaults = defaults;
    }

    public TeamQuota defaults() {
        return defaults;
    }

    public TeamQuota of(UUID teamId) {
        return jdbi.withHandle(h -> of(h, teamId));
    }

    /** The team's quota as {@code h} sees it (inside an admission's transaction). */
    public TeamQuota of(Handle h, UUID teamId) {
        return h.createQuery("SELECT max_running, max_paused, max_disk_mb, max_concurrent_builds FROM team_quotas WHERE team_id = :team")
                .bind("team", teamId)
                .map((rs, ctx) -> new TeamQuota(
                        orDefault(rs.getObject("max_running", Integer.class), defaults.maxRunning()),
                        orDefault(rs.getObject("max_paused", Integer.class), defaults.maxPaused()),
                        orDefault(rs.getObject("max_disk_mb", Long.class), defaults.maxDiskMb()),
                        orDefault(rs.getObject("max_concurrent_builds", Integer.class), defaults.maxConcurrentBuilds())))
                .findOne()
                .orElse(defaults);
    }

    /** Sets the fields given (empty = back to the default); false if there is no such live team. */
    public boolean set(UUID teamId, Optional<Integer> maxRunning, Optional<Integer> maxPaused, Optional<Long> maxDiskMb,
                       Optional<Integer> maxConcurrentBuilds) {
        return jdbi.inTransaction(h -> {
            boolean exists = h.createQuery("SELECT EXISTS (SELECT 1 FROM teams WHERE id = :team AND deleted_at IS NULL)")
                    .bind("team", teamId).mapTo(Boolean.class).one();
            if (!exists) {
                return false;
            }
            h.createUpdate("""
                            INSERT INTO team_quotas (team_id, max_running, max_paused, max_disk_mb, max_concurrent_builds)
                            VALUES (:team, :running, :paused, :disk, :builds)
                            ON CONFLICT (team_id) DO UPDATE SET max_running = excluded.max_running,
                                max_paused = excluded.max_paused, max_disk_mb = excluded.max_disk_mb,
                                max_concurrent_builds = excluded.max_concurrent_builds, updated_at = now()""")
                    .bind("team", teamId)
                    .bind("running", maxRunning.orElse(null))
                    .bind("paused", maxPaused.orElse(null))
                    .bind("disk", maxDiskMb.orElse(null))
                    .bind("builds", maxConcurrentBuilds.orElse(null))
                    .execute();
            return true;
        });
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
