package io.wrenn.controlplane.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** The audit_log table: append, and read a team's entries newest first. */
public final class AuditLog {

    private final Jdbi jdbi;

    public AuditLog(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void append(UUID teamId, UUID actorUserId, UUID actorApiKeyId, String action, String resourceType,
                       String resourceId, boolean success, int status, String clientAddress) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log (team_id, actor_user_id, actor_api_key_id, action, resource_type, resource_id,
                                               outcome, status, client_address)
                        VALUES (CAST(:team AS uuid), CAST(:user AS uuid), CAST(:key AS uuid), :action, :type, :resource, :outcome, :status, :address)""")
                .bind("team", teamId)
                .bind("user", actorUserId)
                .bind("key", actorApiKeyId)
                .bind("action", action)
                .bind("type", resourceType)
                .bind("resource", resourceId)
                .bind("outcome", success ? "success" : "failure")
                .bind("status", status)
                .bind("address", clientAddress)
                .execute());
    }

    /**
     * A page of filters for {@link #find}: each null field matches everything. {@code beforeId}
     * is the cursor: entries older than it.
     */
    public record Filter(String action, UUID actorUserId, UUID actorApiKeyId, String resourceId, String outcome,
                         Instant since, Instant until, Long beforeId, int limit) {
    }

    /** The team's entries matching {@code filter}, newest first. */
    public List<AuditEntry> find(UUID teamId, Filter filter) {
        java.util.Objects.requireNonNull(teamId, "teamId");
        return query(" WHERE a.team_id = :team", q -> q.bind("team", teamId), filter);
    }

    /** Every entry matching {@code filter}, teamless ones (failed logins) included, newest first: for platform admins. */
    public List<AuditEntry> findAll(Filter filter) {
        return query(" WHERE true", q -> { }, filter);
    }

    private List<AuditEntry> query(String scope, java.util.function.Consumer<Query> scopeBind, Filter filter) {
        StringBuilder sql = new StringBuilder("""
                SELECT a.id, a.team_id, a.actor_user_id, u.email, a.actor_api_key_id, a.action, a.resource_type,
                       a.resource_id, a.outcome, a.status, a.client_address, a.created_at
                FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id""").append(scope);
        List<java.util.function.Consumer<Query>> binds = new ArrayList<>();
        binds.add(scopeBind);
        if (filter.action() != null) {
            sql.append(" AND a.action = :action");
            binds.add(q -> q.bind("action", filter.action()));
        }
        if (filter.actorUserId() != null) {
            sql.append(" AND a.actor_user_id = :actorUser");
            binds.add(q -> q.bind("actorUser", filter.actorUserId()));
        }
        if (filter.actorApiKeyId() != null) {
            sql.append(" AND a.actor_api_key_id = :actorKey");
            binds.add(q -> q.bind("actorKey", filter.actorApiKeyId()));
        }
        if (filter.resourceId() != null) {
            sql.append(" AND a.resource_id = :resource");
            binds.add(q -> q.bind("resource", filter.resourceId()));
        }
        if (filter.outcome() != null) {
            sql.append(" AND a.outcome = :outcome");
            binds.add(q -> q.bind("outcome", filter.outcome()));
        }
        if (filter.since() != null) {
            sql.append(" AND a.created_at >= :since");
            binds.add(q -> q.bind("since", OffsetDateTime.ofInstant(filter.since(), ZoneOffset.UTC)));
        }
        if (filter.until() != null) {
            sql.append(" AND a.created_at < :until");
            binds.add(q -> q.bind("until", OffsetDateTime.ofInstant(filter.until(), ZoneOffset.UTC)));
        }
        if (filter.beforeId() != null) {
            sql.append(" AND a.id < :before");
            binds.add(q -> q.bind("before", filter.beforeId()));
        }
        sql.append(" ORDER BY a.id DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            Query query = h.createQuery(sql.toString()).bind("limit", filter.limit());
            binds.forEach(b -> b.accept(query));
            return query.map((rs, ctx) -> new AuditEntry(
                    rs.getLong("id"),
                    rs.getObject("team_id", UUID.class),
                    rs.getObject("actor_user_id", UUID.class),
                    rs.getString("email"),
                    rs.getObject("actor_api_key_id", UUID.class),
                    rs.getString("action"),
                    rs.getString("resource_type"),
                    rs.getString("resource_id"),
                    rs.getString("outcome"),
                    rs.getInt("status"),
                    rs.getString("client_address"),
                    rs.getObject("created_at", OffsetDateTime.class).toInstant())).list();
        });
    }
}
