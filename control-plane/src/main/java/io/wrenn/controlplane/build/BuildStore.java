package io.wrenn.controlplane.build;

import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.Paging;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Builds, their logs and their archives in PostgreSQL. The queue is this table: a worker claims
 * the next {@code queued} build with {@code FOR UPDATE SKIP LOCKED} (teams with fewer running
 * builds first, then oldest), and holds it by a lease it renews; every change of a running build
 * is conditional on the lease owner, so a worker that lost its lease cannot write over the build.
 */
public final class BuildStore {

    private static final String COLUMNS = """
            id, team_id, requester_team, name, recipe_text, steps, archive_sha256, vcpus, memory_mb, disk_size_mb,
            skip_pre_post, no_cache, status, reason, current_step, total_steps, failed_step, cached_steps, attempts,
            cancel_requested, host_id, builder_id, template_id, created_at, started_at, finished_at""";

    private final Jdbi jdbi;

    public BuildStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Adds a build once {@code admit} (which throws to refuse it) has passed in the same
     * transaction, so what it counted cannot change before the row is in; false when an
     * unfinished build of the same owner already has the name.
     */
    boolean insert(Build b, Consumer<Handle> admit) {
        return jdbi.inTransaction(h -> {
            admit.accept(h);
            return insert(h, b);
        });
    }

    /** Runs {@code admit} alone: a refusal before costly work, which {@link #insert} then decides for good. */
    void precheck(Consumer<Handle> admit) {
        jdbi.useTransaction(admit::accept);
    }

    private static boolean insert(Handle h, Build b) {
        return h.createUpdate("""
                        INSERT INTO template_builds (id, team_id, requester_team, name, recipe_text, steps, archive_sha256,
                            vcpus, memory_mb, disk_size_mb, skip_pre_post, no_cache, status, total_steps)
                        VALUES (:id, :team, :requester, :name, :text, CAST(:steps AS jsonb), :archive, :vcpus, :memory, :disk,
                            :skip, :noCache, :status, :total)
                        ON CONFLICT (team_id, name) WHERE status IN ('pending', 'queued', 'running') DO NOTHING""")
                .bind("id", b.id())
                .bind("team", b.teamId())
                .bind("requester", b.requesterTeam())
                .bind("name", b.name())
                .bind("text", b.recipeText())
                .bind("steps", b.recipe() == null ? "null" : Jsons.mapper().writeValueAsString(b.recipe()))
                .bind("archive", b.archiveSha256())
                .bind("vcpus", b.vcpus())
                .bind("memory", b.memoryMb())
                .bind("disk", b.diskSizeMb())
                .bind("skip", b.skipPrePost())
                .bind("noCache", b.noCache())
                .bind("status", b.status().wire())
                .bind("total", b.totalSteps())
                .execute() == 1;
    }

    /** Gives a {@code pending} build its recipe and queues it; false when it is not pending any more. */
    boolean queuePending(UUID id, String recipeText, Recipe recipe, int totalSteps, boolean noCache) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET recipe_text = :text, steps = CAST(:steps AS jsonb), total_steps = :total,
                            no_cache = :noCache, status = 'queued', created_at = now()
                        WHERE id = :id AND status = 'pending'""")
                .bind("id", id)
                .bind("text", recipeText)
                .bind("steps", Jsons.mapper().writeValueAsString(recipe))
                .bind("total", totalSteps)
                .bind("noCache", noCache)
                .execute()) == 1;
    }

    public Optional<Build> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM template_builds WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** A build the team asked for (or made for it). */
    Optional<Build> findForTeam(UUID team, UUID id) {
        return find(id).filter(b -> b.requesterTeam().equals(team) || b.teamId().equals(team));
    }

    /** One page of the builds a team asked for, newest first. */
    List<Build> page(UUID team, Paging.PageRequest page) {
        return jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT " + COLUMNS + " FROM template_builds WHERE requester_team = :team"
                    + (page.after() == null ? "" : " AND (created_at, id) < (:at, :after)")
                    + " ORDER BY created_at DESC, id DESC LIMIT :n")
                    .bind("team", team)
                    .bind("n", page.fetch());
            if (page.after() != null) {
                query.bind("at", OffsetDateTime.ofInstant(page.after().instant(0), java.time.ZoneOffset.UTC))
                        .bind("after", page.after().uuid(1));
            }
            return query.map((rs, ctx) -> map(rs)).list();
        });
    }

    /**
     * Claims the next queued build for {@code owner} if fewer than {@code maxRunning} builds run
     * (claims are serialised by an advisory lock so two control planes cannot both take the
     * last place): the team with the fewest running builds first, then the oldest.
     */
    Optional<Build> claimNext(String owner, Duration lease, int maxRunning) {
        return jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(hashtext('wrenn.build.claim'))");
            int running = h.createQuery("SELECT count(*) FROM template_builds WHERE status = 'running'")
                    .mapTo(Integer.class).one();
            if (running >= maxRunning) {
                return Optional.<Build>empty();
            }
            Optional<UUID> next = h.createQuery("""
                            SELECT b.id FROM template_builds b WHERE b.status = 'queued'
                            ORDER BY (SELECT count(*) FROM template_builds r
                                      WHERE r.requester_team = b.requester_team AND r.status = 'running'),
                                     b.created_at, b.id
                            LIMIT 1 FOR UPDATE SKIP LOCKED""")
                    .mapTo(UUID.class).findOne();
            if (next.isEmpty()) {
                return Optional.<Build>empty();
            }
            h.createUpdate("""
                            UPDATE template_builds SET status = 'running', attempts = attempts + 1, lease_owner = :owner,
                                lease_until = now() + CAST(:lease AS interval), started_at = coalesce(started_at, now()),
                                current_step = 0, failed_step = NULL, cached_steps = 0, reason = NULL, host_id = NULL,
                                builder_id = NULL
                            WHERE id = :id""")
                    .bind("id", next.get())
                    .bind("owner", owner)
                    .bind("lease", lease.toMillis() + " milliseconds")
                    .execute();
            return h.createQuery("SELECT " + COLUMNS + " FROM template_builds WHERE id = :id")
                    .bind("id", next.get()).map((rs, ctx) -> map(rs)).findOne();
        });
    }

    /** What a lease renewal learns: whether the worker still holds the build, and whether someone asked to cancel it. */
    record Lease(boolean held, boolean cancelRequested) {
    }

    Lease renew(UUID id, String owner, Duration lease) {
        return jdbi.withHandle(h -> h.createQuery("""
                        UPDATE template_builds SET lease_until = now() + CAST(:lease AS interval)
                        WHERE id = :id AND status = 'running' AND lease_owner = :owner
                        RETURNING cancel_requested""")
                .bind("id", id)
                .bind("owner", owner)
                .bind("lease", lease.toMillis() + " milliseconds")
                .mapTo(Boolean.class)
                .findOne()
                .map(cancel -> new Lease(true, cancel))
                .orElse(new Lease(false, false)));
    }

    /** Records the builder sandbox before anything runs in it, so whoever takes the build over can destroy it. */
    boolean recordBuilder(UUID id, String owner, UUID hostId, UUID builderId) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET host_id = :host, builder_id = :builder
                        WHERE id = :id AND status = 'running' AND lease_owner = :owner""")
                .bind("id", id).bind("owner", owner).bind("host", hostId).bind("builder", builderId)
                .execute()) == 1;
    }

    void progress(UUID id, String owner, int step, int cachedSteps) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET current_step = :step, cached_steps = :cached
                        WHERE id = :id AND status = 'running' AND lease_owner = :owner""")
                .bind("id", id).bind("owner", owner).bind("step", step).bind("cached", cachedSteps)
                .execute());
    }

    /** Ends a running build the worker still holds; false if it does not (the build was taken over). */
    boolean finish(UUID id, String owner, BuildStatus status, String reason, Integer failedStep, UUID templateId) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET status = :status, reason = :reason, failed_step = :failed,
                            template_id = CAST(:template AS uuid), finished_at = now(), lease_owner = NULL, lease_until = NULL
                        WHERE id = :id AND status = 'running' AND lease_owner = :owner""")
                .bind("id", id).bind("owner", owner).bind("status", status.wire()).bind("reason", reason)
                .bind("failed", failedStep).bind("template", templateId == null ? null : templateId.toString())
                .execute()) == 1;
    }

    /** Gives a running build back to the queue, its attempt not counted (its control plane stops). */
    void release(UUID id, String owner) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
                            finished_at = CASE WHEN cancel_requested THEN now() END,
                            attempts = attempts - 1, lease_owner = NULL, lease_until = NULL
                        WHERE id = :id AND status = 'running' AND lease_owner = :owner""")
                .bind("id", id).bind("owner", owner).execute());
    }

    /**
     * Cancels a build: one not yet running ends at once; a running one is flagged, and its worker
     * (on whichever control plane) stops it at its next lease renewal. Returns the build after.
     */
    Optional<Build> requestCancel(UUID id) {
        jdbi.useHandle(h -> {
            h.createUpdate("""
                            UPDATE template_builds SET status = 'cancelled', reason = 'cancelled', finished_at = now()
                            WHERE id = :id AND status IN ('pending', 'queued')""")
                    .bind("id", id).execute();
            h.createUpdate("UPDATE template_builds SET cancel_requested = true WHERE id = :id AND status = 'running'")
                    .bind("id", id).execute();
        });
        return find(id);
    }

    /** Builds of {@code team} (asked for or owned) that have not finished. */
    List<UUID> unfinishedOfTeam(UUID team) {
        return jdbi.withHandle(h -> unfinishedOfTeam(h, team));
    }

    /** The same, as {@code h} sees them (inside a build's admission). */
    static List<UUID> unfinishedOfTeam(Handle h, UUID team) {
        return h.createQuery("""
                        SELECT id FROM template_builds WHERE (requester_team = :team OR team_id = :team)
                            AND status IN ('pending', 'queued', 'running')""")
                .bind("team", team).mapTo(UUID.class).list();
    }

    /** Running builds whose lease ran out: their worker (or its control plane) is gone. */
    List<Build> expired() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM template_builds WHERE status = 'running' AND lease_until < now()")
                .map((rs, ctx) -> map(rs)).list());
    }

    /**
     * Takes over a build whose lease ran out: queued again while it has attempts left (and was
     * not cancelled), else failed with {@code reason}. False when someone else took it first.
     */
    boolean takeOver(Build build, int maxAttempts, String reason) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET
                            status = CASE WHEN cancel_requested THEN 'cancelled'
                                          WHEN attempts < :max THEN 'queued' ELSE 'failed' END,
                            reason = CASE WHEN cancel_requested THEN 'cancelled'
                                          WHEN attempts < :max THEN :retry ELSE :reason END,
                            finished_at = CASE WHEN cancel_requested OR attempts >= :max THEN now() END,
                            lease_owner = NULL, lease_until = NULL
                        WHERE id = :id AND status = 'running' AND lease_until < now() AND attempts = :attempts""")
                .bind("id", build.id())
                .bind("max", maxAttempts)
                .bind("attempts", build.attempts())
                .bind("retry", reason + "; queued again")
                .bind("reason", reason)
                .execute()) == 1;
    }

    /** Pending builds (E2B's, whose steps never came) older than {@code age} are cancelled. */
    int expirePending(Duration age) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE template_builds SET status = 'cancelled', reason = 'its steps never came', finished_at = now()
                        WHERE status = 'pending' AND created_at < now() - CAST(:age AS interval)""")
                .bind("age", age.toMillis() + " milliseconds").execute());
    }

    /** Whether a build of {@code team} that is not finished has {@code name}. */
    boolean nameBusy(UUID team, String name) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT EXISTS (SELECT 1 FROM template_builds WHERE team_id = :team AND name = :name
                            AND status IN ('pending', 'queued', 'running'))""")
                .bind("team", team).bind("name", name).mapTo(Boolean.class).one());
    }

    /** The latest build of {@code team} named {@code name}, for E2B's lookups by template. */
    Optional<Build> latestNamed(UUID team, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM template_builds WHERE team_id = :team AND name = :name ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind("team", team).bind("name", name).map((rs, ctx) -> map(rs)).findOne());
    }

    void appendLogs(UUID buildId, List<LogLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            var batch = h.prepareBatch("INSERT INTO template_build_logs (build_id, step, stream, line, at) VALUES (:b, :s, :st, :l, :at)");
            for (LogLine line : lines) {
                batch.bind("b", buildId).bind("s", line.step()).bind("st", line.stream())
                        .bind("l", line.line()).bind("at", OffsetDateTime.ofInstant(line.at(), java.time.ZoneOffset.UTC)).add();
            }
            batch.execute();
        });
    }

    /** Up to {@code limit} lines after {@code afterSeq}, in order. */
    List<LogLine> logs(UUID buildId, long afterSeq, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT seq, step, stream, line, at FROM template_build_logs
                        WHERE build_id = :b AND seq > :after ORDER BY seq LIMIT :n""")
                .bind("b", buildId).bind("after", afterSeq).bind("n", limit)
                .map((rs, ctx) -> new LogLine(rs.getLong("seq"), rs.getInt("step"), rs.getString("stream"),
                        rs.getString("line"), rs.getObject("at", OffsetDateTime.class).toInstant()))
                .list());
    }

    /** Up to {@code limit} lines from the {@code offset}-th (0-based), in order: E2B reads logs by count. */
    List<LogLine> logsFrom(UUID buildId, int offset, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT seq, step, stream, line, at FROM template_build_logs
                        WHERE build_id = :b ORDER BY seq OFFSET :offset LIMIT :n""")
                .bind("b", buildId).bind("offset", offset).bind("n", limit)
                .map((rs, ctx) -> new LogLine(rs.getLong("seq"), rs.getInt("step"), rs.getString("stream"),
                        rs.getString("line"), rs.getObject("at", OffsetDateTime.class).toInstant()))
                .list());
    }

    /** Records a stored archive of a team; idempotent. */
    void recordFile(UUID team, String sha256, long size, int entries) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO build_files (team_id, sha256, size_bytes, entries) VALUES (:t, :s, :size, :n)
                        ON CONFLICT DO NOTHING""")
                .bind("t", team).bind("s", sha256).bind("size", size).bind("n", entries).execute());
    }

    boolean hasFile(UUID team, String sha256) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM build_files WHERE team_id = :t AND sha256 = :s)")
                .bind("t", team).bind("s", sha256).mapTo(Boolean.class).one());
    }

    private static Build map(ResultSet rs) throws SQLException {
        String steps = rs.getString("steps");
        Recipe recipe = steps == null || steps.equals("null") || steps.equals("[]") ? null
                : Jsons.mapper().readValue(steps, Recipe.class);
        Integer failed = (Integer) rs.getObject("failed_step");
        return new Build(
                rs.getObject("id", UUID.class), rs.getObject("team_id", UUID.class), rs.getObject("requester_team", UUID.class),
                rs.getString("name"), rs.getString("recipe_text"), recipe, rs.getString("archive_sha256"),
                rs.getInt("vcpus"), rs.getInt("memory_mb"), rs.getInt("disk_size_mb"), rs.getBoolean("skip_pre_post"),
                rs.getBoolean("no_cache"), BuildStatus.of(rs.getString("status")), rs.getString("reason"),
                rs.getInt("current_step"), rs.getInt("total_steps"), failed, rs.getInt("cached_steps"), rs.getInt("attempts"),
                rs.getBoolean("cancel_requested"), rs.getObject("host_id", UUID.class), rs.getObject("builder_id", UUID.class),
                rs.getObject("template_id", UUID.class), instant(rs, "created_at"), instant(rs, "started_at"),
                instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
