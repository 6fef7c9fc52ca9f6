package io.wrenn.controlplane.admin;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.wrenn.controlplane.ids.WireId;
import org.jdbi.v3.core.Jdbi;

/** The read-only queries behind the admin routes, already in their wire form. */
final class AdminStore {

    private final Jdbi jdbi;

    AdminStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    List<Map<String, Object>> teams() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT t.id, t.name, t.created_at, t.deleted_at,
                               (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS members,
                               (SELECT count(*) FROM sandboxes s WHERE s.team_id = t.id AND s.status <> 'stopped') AS active_sandboxes
                        FROM teams t ORDER BY t.created_at, t.id""")
                .map((rs, ctx) -> {
                    Map<String, Object> team = new LinkedHashMap<>();
                    team.put("id", WireId.TEAM.encode(rs.getObject("id", UUID.class)));
                    team.put("name", rs.getString("name"));
                    team.put("members", rs.getLong("members"));
                    team.put("active_sandboxes", rs.getLong("active_sandboxes"));
                    team.put("created_at", instant(rs.getObject("created_at", OffsetDateTime.class)));
                    team.put("deleted_at", instant(rs.getObject("deleted_at", OffsetDateTime.class)));
                    return team;
                }).list());
    }

    List<Map<String, Object>> users() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, email, name, is_admin, disabled_at, created_at, password_hash IS NOT NULL AS has_password
                        FROM users ORDER BY created_at, id""")
                .map((rs, ctx) -> {
                    Map<String, Object> user = new LinkedHashMap<>();
                    user.put("id", WireId.USER.encode(rs.getObject("id", UUID.class)));
                    user.put("email", rs.getString("email"));
                    user.put("name", rs.getString("name"));
                    user.put("is_admin", rs.getBoolean("is_admin"));
                    user.put("has_password", rs.getBoolean("has_password"));
                    user.put("disabled_at", instant(rs.getObject("disabled_at", OffsetDateTime.class)));
                    user.put("created_at", instant(rs.getObject("created_at", OffsetDateTime.class)));
                    return user;
                }).list());
    }

    List<Map<String, Object>> templates() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, team_id, name, type, vcpus, memory_mb, created_at FROM templates
                        WHERE deleted_at IS NULL AND status = 'ready'
                        ORDER BY team_id, name""")
                .map((rs, ctx) -> {
                    Map<String, Object> template = new LinkedHashMap<>();
                    template.put("id", WireId.TEMPLATE.encode(rs.getObject("id", UUID.class)));
                    template.put("team_id", WireId.TEAM.encode(rs.getObject("team_id", UUID.class)));
                    template.put("name", rs.getString("name"));
                    template.put("type", rs.getString("type"));
                    template.put("vcpus", rs.getInt("vcpus"));
                    template.put("memory_mb", rs.getInt("memory_mb"));
                    template.put("created_at", instant(rs.getObject("created_at", OffsetDateTime.class)));
                    return template;
                }).list());
    }

    private static java.time.Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
