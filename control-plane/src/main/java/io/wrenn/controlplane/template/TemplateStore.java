package io.wrenn.controlplane.template;

import io.wrenn.controlplane.instance.ControlPlaneInstances;
import io.wrenn.hostagent.protocol.TemplateImage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Templates in PostgreSQL. A snapshot's row is {@code creating} while its host makes it: the
 * row reserves the name (the live-name index counts it) but no read here except
 * {@link #nameTaken}, {@link #knows} and the pending-row reads returns it, so it is never
 * listed, shown or started from.
 */
public final class TemplateStore {

    /** What a template name may look like; anything else cannot name a template. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");
    /** What a snapshot's name may look like: it names a directory on its host, hence lower case. */
    public static final Pattern SNAPSHOT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private static final String SELECT = """
            SELECT id, team_id, name, type, vcpus, memory_mb, host_id, disk_size_mb, size_bytes, created_at,
                   default_user, default_workdir, default_env_keys FROM templates
            """;

    private final Jdbi jdbi;

    public TemplateStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A ready template of any team by id (admins). */
    public Optional<Template> findReady(UUID id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + "WHERE id = :id AND deleted_at IS NULL AND status = 'ready'")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** The template {@code name} visible to {@code teamId}: the team's own first, then the platform's. */
    public Optional<Template> findVisible(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE name = :name AND team_id IN (:team, :platform) AND deleted_at IS NULL AND status = 'ready'
                        ORDER BY (team_id = :platform) LIMIT 1""")
                .bind("name", name)
                .bind("team", teamId)
                .bind("platform", Template.PLATFORM_TEAM)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** {@code teamId}'s own live, ready template {@code name} (not the platform's). */
    public Optional<Template> findOwn(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE name = :name AND team_id = :team AND deleted_at IS NULL AND status = 'ready'""")
                .bind("name", name)
                .bind("team", teamId)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }


    /** The ready layer of {@code teamId}'s build cache with {@code key}, if it was made. */
    public Optional<Template> findBuildCache(UUID teamId, String key) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE team_id = :team AND build_cache_key = :key AND deleted_at IS NULL AND status = 'ready'""")
                .bind("team", teamId)
                .bind("key", key)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /**
     * Ready templates whose build cache key starts with {@code keyPrefix}, made before
     * {@code madeBefore}, from which no sandbox that is not finished was made.
     */
    public List<Template> listUnusedByKeyPrefix(String keyPrefix, Instant madeBefore) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        t WHERE t.build_cache_key LIKE :prefix || '%' AND t.deleted_at IS NULL AND t.status = 'ready'
                            AND t.created_at < :before AND NOT EXISTS (
                                SELECT 1 FROM sandboxes s WHERE s.template_id = t.id AND s.status NOT IN ('stopped', 'error'))""")
                .bind("prefix", keyPrefix)
                .bind("before", OffsetDateTime.ofInstant(madeBefore, java.time.ZoneOffset.UTC))
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /**
     * {@code teamId}'s own snapshots (not the platform's, not build cache layers or fork
     * snapshots), newest first; only those made from sandbox {@code source} when it is given.
     */
    public List<Template> listOwnSnapshots(UUID teamId, UUID source) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE type = 'snapshot' AND host_id IS NOT NULL AND team_id = :team
                            AND (CAST(:source AS uuid) IS NULL OR source_sandbox_id = CAST(:source AS uuid))
                            AND deleted_at IS NULL AND status = 'ready' AND build_cache_key IS NULL
                        ORDER BY created_at DESC, name""")
                .bind("team", teamId)
                .bind("source", source == null ? null : source.toString())
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /**
     * Templates made from sandboxes (snapshots, images from a disk) visible to {@code teamId}
     * (its own and the platform's), by name. Base images and build cache layers are not among them.
     */
    public List<Template> listMade(UUID teamId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE (type = 'snapshot' OR host_id IS NOT NULL) AND team_id IN (:team, :platform)
                            AND deleted_at IS NULL AND status = 'ready' AND build_cache_key IS NULL
                        ORDER BY name, team_id""")
                .bind("team", teamId)
                .bind("platform", Template.PLATFORM_TEAM)
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /**
     * One page of {@link #listMade}'s rows, by name then team: {@code page.fetch()} rows after
     * the cursor's {@code (team_id, name)} (the name last: it is the part that may hold anything).
     */
    public List<Template> pageMade(UUID teamId, io.wrenn.controlplane.http.Paging.PageRequest page) {
        // Read the cursor before touching the database: a forged one is a 400, not a failed query.
        UUID afterTeam = page.after() == null ? null : page.after().uuid(0);
        String afterName = page.after() == null ? null : page.after().text(1);
        String after = afterTeam == null ? "" : " AND (name, team_id) > (:afterName, :afterTeam)";
        return jdbi.withHandle(h -> {
            var query = h.createQuery(SELECT + """
                            WHERE (type = 'snapshot' OR host_id IS NOT NULL) AND team_id IN (:team, :platform)
                                AND deleted_at IS NULL AND status = 'ready' AND build_cache_key IS NULL""" + after
                            + " ORDER BY name, team_id LIMIT :fetch")
                    .bind("team", teamId)
                    .bind("platform", Template.PLATFORM_TEAM)
                    .bind("fetch", page.fetch());
            if (afterTeam != null) {
                query.bind("afterName", afterName).bind("afterTeam", afterTeam);
            }
            return query.map((rs, ctx) -> map(rs)).list();
        });
    }

    /**
     * Reserves the name of a snapshot or an image made from a sandbox before its host call: a
     * {@code creating} row with the source sandbox's machine. False when the name is taken (by
     * a live row of any state).
     */
    public boolean insertCreating(UUID id, UUID teamId, String name, String type, int vcpus, int memoryMb, UUID hostId,
                                  UUID sourceSandboxId, String buildCacheKey, UUID madeBy) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO templates (id, team_id, name, type, vcpus, memory_mb, host_id, source_sandbox_id, status,
                            build_cache_key, made_by)
                        VALUES (:id, :team, :name, :type, :vcpus, :memory, :host, CAST(:source AS uuid), 'creating', :cache,
                                CAST(:madeBy AS uuid))
                        ON CONFLICT (team_id, name) WHERE deleted_at IS NULL DO NOTHING""")
                .bind("id", id)
                .bind("type", type)
                .bind("team", teamId)
                .bind("name", name)
                .bind("vcpus", vcpus)
                .bind("memory", memoryMb)
                .bind("host", hostId)
                .bind("source", sourceSandboxId == null ? null : sourceSandboxId.toString())
                .bind("cache", buildCacheKey)
                .bind("madeBy", madeBy)
                .execute()) == 1;
    }

    /**
     * Makes a made template's row {@code ready} with what its host reports of the files (by its
     * caller after the host call, or when a row nobody waits on is adopted). An image has no
     * fixed machine: its row keeps the source sandbox's as a record. False when the row is gone.
     */
    public boolean markReady(UUID id, TemplateImage image, Instant now) {
        Instant createdAt = image.getCreatedAtMs() == 0 ? now : Instant.ofEpochMilli(image.getCreatedAtMs());
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE templates SET status = 'ready', status_reason = NULL, host_call_lost = false,
                            vcpus = COALESCE(NULLIF(:vcpus, 0), vcpus), memory_mb = COALESCE(NULLIF(:memory, 0), memory_mb),
                            disk_size_mb = :disk, size_bytes = :size, created_at = :created,
                            default_user = NULLIF(:user, ''), default_workdir = NULLIF(:workdir, ''),
                            default_env_keys = :envKeys
                        WHERE id = :id AND deleted_at IS NULL""")
                .bind("id", id)
                .bind("user", image.getDefaultUser())
                .bind("workdir", image.getDefaultWorkdir())
                .bind("envKeys", image.getDefaultEnvMap().keySet().stream().sorted().toArray(String[]::new))
                .bind("vcpus", image.getVcpus())
                .bind("memory", image.getMemoryMb())
                .bind("disk", image.getDiskSizeMb())
                .bind("size", image.getSizeBytes())
                .bind("created", OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC))
                .execute()) == 1;
    }

    /** Hands a {@code creating} row whose host call was lost to the reconciler. */
    public boolean markHostCallLost(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE templates SET host_call_lost = true WHERE id = :id AND status = 'creating'""")
                .bind("id", id)
                .execute()) == 1;
    }

    /**
     * Removes a {@code creating} row whose snapshot was not made; its name is free again. The
     * row is deleted, not hidden: nothing ever referred to it.
     */
    public boolean deleteCreating(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM templates WHERE id = :id AND status = 'creating'")
                .bind("id", id)
                .execute()) == 1;
    }

    /** The {@code creating} snapshot rows of a host, oldest first. */
    public List<PendingSnapshot> listCreatingOnHost(UUID hostId, UUID self) {
        String makerGone = "made_by IS NOT NULL AND made_by <> CAST(:self AS uuid) AND "
                + ControlPlaneInstances.goneSql("made_by");
        return jdbi.withHandle(h -> h.createQuery(PENDING.formatted(makerGone) + " AND host_id = :host ORDER BY created_at")
                .bind("host", hostId)
                .bind("self", self)
                .bind("gone", ControlPlaneInstances.goneAfterInterval())
                .map((rs, ctx) -> pending(rs))
                .list());
    }

    /** {@code teamId}'s {@code creating} row named {@code name} if its caller gave up on it. */
    public Optional<PendingSnapshot> findLostCreating(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery(PENDING.formatted("false") + " AND team_id = :team AND name = :name AND host_call_lost")
                .bind("team", teamId)
                .bind("name", name)
                .map((rs, ctx) -> pending(rs))
                .findOne());
    }

    /**
     * Settles a {@code creating} row no caller waits on any more, from its host's template list:
     * {@code ready} with the host's facts if the host has the snapshot ({@code image}), else
     * deleted. Returns whether the row changed.
     */
    public boolean settleCreating(PendingSnapshot row, TemplateImage image, Instant now) {
        return image == null ? deleteCreating(row.id()) : markReady(row.id(), image, now);
    }

    /** Creating rows, with whether their maker is gone ({@code %s}: an SQL condition). */
    private static final String PENDING = """
            SELECT id, team_id, name, host_id, created_at, host_call_lost, (%s) AS maker_gone FROM templates
            WHERE status = 'creating' AND deleted_at IS NULL""";

    private static PendingSnapshot pending(ResultSet rs) throws SQLException {
        return new PendingSnapshot(rs.getObject("id", UUID.class), rs.getObject("team_id", UUID.class), rs.getString("name"),
                rs.getObject("host_id", UUID.class), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getBoolean("host_call_lost"), rs.getBoolean("maker_gone"));
    }

    /**
     * Whether a live row ({@code creating} or {@code ready}) names {@code teamId}'s template
     * {@code name}. A hidden (deleted) row does not count: that template should not exist.
     */
    public boolean knows(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM templates WHERE team_id = :team AND name = :name AND deleted_at IS NULL)")
                .bind("team", teamId)
                .bind("name", name)
                .mapTo(Boolean.class)
                .one());
    }

    /** Whether {@code name} names a template of {@code teamId} or of the platform. */
    public boolean nameTaken(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM templates WHERE name = :name AND team_id IN (:team, :platform) AND deleted_at IS NULL)")
                .bind("name", name)
                .bind("team", teamId)
                .bind("platform", Template.PLATFORM_TEAM)
                .mapTo(Boolean.class)
                .one());
    }

    /**
     * Hides a template unless a sandbox that is not finished was made from it (the check and
     * the change are one statement); returns whether it was hidden. The row stays: stopped
     * sandboxes still name their template.
     */
    public boolean deleteIfUnused(UUID id) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE templates t SET deleted_at = now() WHERE t.id = :id AND t.deleted_at IS NULL AND NOT EXISTS (
                            SELECT 1 FROM sandboxes s WHERE s.template_id = t.id AND s.status NOT IN ('stopped', 'error'))""")
                .bind("id", id)
                .execute()) == 1;
    }

    private static Template map(ResultSet rs) throws SQLException {
        OffsetDateTime created = rs.getObject("created_at", OffsetDateTime.class);
        return new Template(
                rs.getObject("id", UUID.class),
                rs.getObject("team_id", UUID.class),
                rs.getString("name"),
                rs.getString("type"),
                rs.getInt("vcpus"),
                rs.getInt("memory_mb"),
                rs.getObject("host_id", UUID.class),
                (Integer) rs.getObject("disk_size_mb"),
                (Long) rs.getObject("size_bytes"),
                created == null ? null : created.toInstant(),
                rs.getString("default_user"),
                rs.getString("default_workdir"),
                List.of((String[]) rs.getArray("default_env_keys").getArray()));
    }
}
