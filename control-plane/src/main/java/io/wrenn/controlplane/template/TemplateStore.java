package io.wrenn.controlplane.template;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/** Templates in PostgreSQL. */
public final class TemplateStore {

    /** What a template name may look like; anything else cannot name a template. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");
    /** What a snapshot's name may look like: it names a directory on its host, hence lower case. */
    public static final Pattern SNAPSHOT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private static final String SELECT = """
            SELECT id, team_id, name, type, vcpus, memory_mb, host_id, disk_size_mb, size_bytes, created_at FROM templates
            """;

    private final Jdbi jdbi;

    public TemplateStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The template {@code name} visible to {@code teamId}: the team's own first, then the platform's. */
    public Optional<Template> findVisible(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE name = :name AND team_id IN (:team, :platform) AND deleted_at IS NULL
                        ORDER BY (team_id = :platform) LIMIT 1""")
                .bind("name", name)
                .bind("team", teamId)
                .bind("platform", Template.PLATFORM_TEAM)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** Snapshot templates visible to {@code teamId} (its own and the platform's), by name. */
    public List<Template> listSnapshots(UUID teamId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + """
                        WHERE type = 'snapshot' AND team_id IN (:team, :platform) AND deleted_at IS NULL ORDER BY name, team_id""")
                .bind("team", teamId)
                .bind("platform", Template.PLATFORM_TEAM)
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /** Records a snapshot its host has just made; false when the name was taken meanwhile. */
    public boolean insertSnapshot(Template template, UUID sourceSandboxId) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO templates (id, team_id, name, type, vcpus, memory_mb, host_id, disk_size_mb, size_bytes,
                                               source_sandbox_id, created_at)
                        VALUES (:id, :team, :name, 'snapshot', :vcpus, :memory, :host, :disk, :size, :source, :created)
                        ON CONFLICT (team_id, name) WHERE deleted_at IS NULL DO NOTHING""")
                .bind("id", template.id())
                .bind("team", template.teamId())
                .bind("name", template.name())
                .bind("vcpus", template.vcpus())
                .bind("memory", template.memoryMb())
                .bind("host", template.hostId())
                .bind("disk", template.diskSizeMb())
                .bind("size", template.sizeBytes())
                .bind("source", sourceSandboxId)
                .bind("created", OffsetDateTime.ofInstant(template.createdAt(), java.time.ZoneOffset.UTC))
                .execute()) == 1;
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
                created == null ? null : created.toInstant());
    }
}
