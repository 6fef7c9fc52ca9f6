package io.wrenn.controlplane.admin;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.ids.WireId;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** The read-only queries behind the admin routes, already in their wire form. */
final class AdminStore {

    private final Jdbi jdbi;

    AdminStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    boolean teamExists(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM teams WHERE id = :id AND deleted_at IS NULL)")
                .bind("id", id).mapTo(Boolean.class).one());
    }

    Paging.Page<Map<String, Object>> teams(Paging paging, Paging.PageRequest page) {
        return pageOf("""
                        SELECT t.id, t.name, t.created_at, t.deleted_at, t.suspended_at,
                               (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS members,
                               (SELECT count(*) FROM sandboxes s WHERE s.team_id = t.id AND s.status <> 'stopped') AS active_sandboxes
                        FROM teams t""", "true", "t", paging, page,
                (rs, ctx) -> {
                    Map<String, Object> team = new LinkedHashMap<>();
                    team.put("id", WireId.TEAM.encode(rs.getObject("id", UUID.class)));
                    team.put("name", rs.getString("name"));
                    team.put("members", rs.getLong("members"));
                    team.put("active_sandboxes", rs.getLong("active_sandboxes"));
                    team.put("created_at", instant(rs.getObject("created_at", OffsetDateTime.class)));
                    team.put("deleted_at", instant(rs.getObject("deleted_at", OffsetDateTime.class)));
                    team.put("suspended_at", instant(rs.getObject("suspended_at", OffsetDateTime.class)));
                    return team;
                });
    }

    Paging.Page<Map<String, Object>> users(Paging paging, Paging.PageRequest page) {
        return pageOf("""
                        SELECT u.id, u.email, u.name, u.is_admin, u.disabled_at, u.created_at,
                               u.password_hash IS NOT NULL AS has_password
                        FROM users u""", "true", "u", paging, page,
                (rs, ctx) -> {
                    Map<String, Object> user = new LinkedHashMap<>();
                    user.put("id", WireId.USER.encode(rs.getObject("id", UUID.class)));
                    user.put("email", rs.getString("email"));
                    user.put("name", rs.getString("name"));
                    user.put("is_admin", rs.getBoolean("is_admin"));
                    user.put("has_password", rs.getBoolean("has_password"));
                    user.put("disabled_at", instant(rs.getObject("disabled_at", OffsetDateTime.class)));
                    user.put("created_at", instant(rs.getObject("created_at", OffsetDateTime.class)));
                    return user;
                });
    }

    Paging.Page<Map<String, Object>> templates(Paging paging, Paging.PageRequest page) {
        return pageOf("""
                        SELECT p.id, p.team_id, p.name, p.type, p.vcpus, p.memory_mb, p.created_at FROM templates p""",
                "p.deleted_at IS NULL AND p.status = 'ready'", "p", paging, page,
                (rs, ctx) -> {
                    Map<String, Object> template = new LinkedHashMap<>();
                    template.put("id", WireId.TEMPLATE.encode(rs.getObject("id", UUID.class)));
                    template.put("team_id", WireId.TEAM.encode(rs.getObject("team_id", UUID.class)));
                    template.put("name", rs.getString("name"));
                    template.put("type", rs.getString("type"));
                    template.put("vcpus", rs.getInt("vcpus"));
                    template.put("memory_mb", rs.getInt("memory_mb"));
                    template.put("created_at", instant(rs.getObject("created_at", OffsetDateTime.class)));
                    return template;
                });
    }

    /**
     * One page of {@code select}'s rows matching {@code where} ({@code alias} names the table
     * paged): oldest first by creation, ties by id, so the order is total.
     */
    private Paging.Page<Map<String, Object>> pageOf(String select, String where, String alias, Paging paging, Paging.PageRequest page,
                                                    RowMapper<Map<String, Object>> row) {
        // Read the cursor before touching the database: a forged one is a 400, not a failed query.
        OffsetDateTime afterAt = page.after() == null ? null : OffsetDateTime.ofInstant(page.after().instant(0), ZoneOffset.UTC);
        UUID afterId = page.after() == null ? null : page.after().uuid(1);
        StringBuilder sql = new StringBuilder(select).append(" WHERE ").append(where);
        if (afterId != null) {
            sql.append(" AND (").append(alias).append(".created_at, ").append(alias).append(".id) > (:afterAt, :afterId)");
        }
        sql.append(" ORDER BY ").append(alias).append(".created_at, ").append(alias).append(".id LIMIT :fetch");
        List<Keyed> rows = jdbi.withHandle(h -> {
            Query query = h.createQuery(sql.toString()).bind("fetch", page.fetch());
            if (afterId != null) {
                query.bind("afterAt", afterAt).bind("afterId", afterId);
            }
            return query.map((rs, ctx) -> new Keyed(row.map(rs, ctx), List.of(
                    Paging.micros(rs.getObject("created_at", OffsetDateTime.class).toInstant()),
                    rs.getObject("id", UUID.class).toString()))).list();
        });
        Paging.Page<Keyed> keyed = paging.page(page, rows, Keyed::key);
        return new Paging.Page<>(keyed.items().stream().map(Keyed::view).toList(), keyed.nextCursor());
    }

    /** A row in its wire form and its place in {@link #pageOf}'s order, as a cursor holds it. */
    private record Keyed(Map<String, Object> view, List<String> key) {
    }

    private static java.time.Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
