package io.wrenn.controlplane.audit;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.instance.ControlPlaneInstances;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The audit_log table: append a settled entry, or open a pending one and settle it later; settle
 * as lost the pending entries of control planes that stopped; read a team's entries newest first.
 *
 * <p>An entry's {@code outcome} is {@code success} or {@code failure} (with the HTTP status it
 * answered), {@code pending} while its call runs, or {@code lost} when the control plane serving
 * it stopped during the call (its outcome is unknown). Pending and lost entries have no status.
 */
public final class AuditLog {

    public static final String PENDING = "pending";
    public static final String LOST = "lost";

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
     * What a call's path names (a sandbox, a template, a build), before its handler has checked
     * that it is the caller's team's.
     */
    public record PathResource(WireId kind, String wireId, UUID id) {

        /** The kinds a pending entry may name, each with the table that says whose it is. */
        static final Map<WireId, String> TABLES = Map.of(
                WireId.SANDBOX, "sandboxes", WireId.TEMPLATE, "templates", WireId.BUILD, "template_builds");

        String type() {
            return kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Commits the entry of a call about to run, as {@code pending}, naming {@code instance}, the
     * control plane serving it; returns its id for {@link #settle}. The entry names {@code inPath}
     * (may be null) only if it is the team's: a call whose control plane dies is still found under
     * its resource, and another team's id is never copied into this team's log.
     */
    public long open(UUID teamId, UUID actorUserId, UUID actorApiKeyId, String action, String clientAddress,
                     UUID instance, PathResource inPath) {
        // The table name comes from the fixed map above, never from the request.
        String owned = inPath == null ? "FALSE"
                : "EXISTS (SELECT 1 FROM " + PathResource.TABLES.get(inPath.kind())
                        + " WHERE id = CAST(:rid AS uuid) AND team_id = CAST(:team AS uuid))";
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log (team_id, actor_user_id, actor_api_key_id, action, outcome, status,
                                               client_address, instance, resource_type, resource_id)
                        VALUES (CAST(:team AS uuid), CAST(:user AS uuid), CAST(:key AS uuid), :action, 'pending', NULL,
                                :address, CAST(:instance AS uuid),
                                CASE WHEN <owned> THEN :type END, CASE WHEN <owned> THEN :resource END)"""
                        .replace("<owned>", owned))
                .bind("team", teamId)
                .bind("user", actorUserId)
                .bind("key", actorApiKeyId)
                .bind("action", action)
                .bind("address", clientAddress)
                .bind("instance", instance)
                .bind("rid", inPath == null ? null : inPath.id())
                .bind("type", inPath == null ? null : inPath.type())
                .bind("resource", inPath == null ? null : inPath.wireId())
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
    }

    /**
     * Settles the entry {@link #open} returned with its call's answer (also one already settled
     * as lost: the call's own answer is the truth). The caller and team are written again: a
     * handler may name them only as it runs (a login's person, an admin's target team).
     */
    public void settle(long id, UUID teamId, UUID actorUserId, UUID actorApiKeyId, String resourceType,
                       String resourceId, boolean success, int status) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE audit_log SET team_id = CAST(:team AS uuid), actor_user_id = CAST(:user AS uuid),
                                             actor_api_key_id = CAST(:key AS uuid), resource_type = :type,
                                             resource_id = :resource, outcome = :outcome, status = :status
                        WHERE id = :id""")
                .bind("id", id)
                .bind("team", teamId)
                .bind("user", actorUserId)
                .bind("key", actorApiKeyId)
                .bind("type", resourceType)
                .bind("resource", resourceId)
                .bind("outcome", success ? "success" : "failure")
                .bind("status", status)
                .execute());
    }

    /**
     * Settles as lost the pending entries of control planes that are gone: another than
     * {@code self} ({@link ControlPlaneInstances#goneSql}). Returns how many.
     */
    public int settleLostOfGoneInstances(UUID self) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE audit_log a SET outcome = 'lost'
                        WHERE a.outcome = 'pending' AND a.instance IS NOT NULL AND a.instance <> :self AND"""
                        + " " + ControlPlaneInstances.goneSql("a.instance"))
                .bind("self", self)
                .bind("gone", ControlPlaneInstances.goneAfterInterval())
                .execute());
    }

    /** A clean stop: the entries {@code instance} still has pending are settled as lost at once. Returns how many. */
    public int settleLostOf(UUID instance) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE audit_log SET outcome = 'lost' WHERE outcome = 'pending' AND instance = :instance")
                .bind("instance", instance)
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
                    rs.getObject("status", Integer.class),
                    rs.getString("client_address"),
                    rs.getObject("created_at", OffsetDateTime.class).toInstant())).list();
        });
    }
}
