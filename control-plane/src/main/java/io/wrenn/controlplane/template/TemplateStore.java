package io.wrenn.controlplane.template;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/** Templates in PostgreSQL. */
public final class TemplateStore {

    /** What a template name may look like; anything else cannot name a template. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");

    private final Jdbi jdbi;

    public TemplateStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The template {@code name} visible to {@code teamId}: the team's own first, then the platform's. */
    public Optional<Template> findVisible(UUID teamId, String name) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, team_id, name, type, vcpus, memory_mb FROM templates
                        WHERE name = :name AND team_id IN (:team, :platform)
                        ORDER BY (team_id = :platform) LIMIT 1""")
                .bind("name", name)
                .bind("team", teamId)
                .bind("platform", Template.PLATFORM_TEAM)
                .map((rs, ctx) -> new Template(
                        rs.getObject("id", UUID.class),
                        rs.getObject("team_id", UUID.class),
                        rs.getString("name"),
                        rs.getString("type"),
                        rs.getInt("vcpus"),
                        rs.getInt("memory_mb")))
                .findOne());
    }
}
