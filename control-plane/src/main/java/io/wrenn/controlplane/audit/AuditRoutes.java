package io.wrenn.controlplane.audit;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code GET /v1/audit-logs}: the current team's log for its owners and admins; {@code GET
 * /v1/admin/audit-logs}: everything, for platform admins. Newest first, by cursor. Entries of
 * calls still running ({@code pending}) and of calls whose control plane stopped during them
 * ({@code lost}) are shown as such, with a null status.
 */
public final class AuditRoutes {

    // Newest first by id: ids only grow, so the id alone is a total order. The team's list keeps
    // the tag its cursors always had; the platform's list has its own, so neither takes the other's.
    private static final Paging TEAM_PAGING = Paging.of("a", 1, 50, 200);
    private static final Paging ALL_PAGING = Paging.of("aa", 1, 50, 200);
    private static final Set<String> PARAMETERS = Set.of("action", "actor", "resource_id", "outcome", "since", "until",
            "limit", "cursor");
    private static final Set<String> OUTCOMES = Set.of("success", "failure", AuditLog.PENDING, AuditLog.LOST);

    private final AuditLog auditLog;

    public AuditRoutes(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/audit-logs", Access.USER_IN_TEAM, this::list);
        routes.get("/v1/admin/audit-logs", Access.ADMIN, this::listAll);
    }

    private void list(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        caller.requireRole(Role.ADMIN);
        page(ctx, TEAM_PAGING, filter -> auditLog.find(caller.teamId(), filter));
    }

    /** Every team's entries and the teamless ones (failed logins, refused credentials). */
    private void listAll(Context ctx) {
        page(ctx, ALL_PAGING, auditLog::findAll);
    }

    private void page(Context ctx, Paging paging, java.util.function.Function<AuditLog.Filter, List<AuditEntry>> find) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.invalid("unknown query parameter '" + name + "'");
            }
        }
        String actor = ctx.queryParam("actor");
        UUID actorUser = null;
        UUID actorKey = null;
        if (actor != null) {
            actorUser = WireId.USER.decode(actor).orElse(null);
            actorKey = WireId.API_KEY.decode(actor).orElse(null);
            if (actorUser == null && actorKey == null) {
                throw ApiException.invalid("'actor' must be a user id (usr-…) or an API key id (key-…)");
            }
        }
        // Each outcome matches only itself: a pending or lost call is neither a success nor a failure.
        String outcome = ctx.queryParam("outcome");
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw ApiException.invalid("'outcome' must be success, failure, pending or lost");
        }
        Paging.PageRequest request = paging.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        AuditLog.Filter filter = new AuditLog.Filter(text("action", ctx.queryParam("action")), actorUser, actorKey,
                text("resource_id", ctx.queryParam("resource_id")), outcome, instant("since", ctx.queryParam("since")),
                instant("until", ctx.queryParam("until")),
                request.after() == null ? null : request.after().number(0), request.fetch());
        Paging.Page<AuditEntry> page = paging.page(request, find.apply(filter), e -> List.of(Long.toString(e.id())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", page.items().stream().map(AuditRoutes::view).toList());
        body.put("next_cursor", page.nextCursor());
        ctx.json(body);
    }

    private static String text(String name, String value) {
        if (value != null && (value.length() > 256 || value.indexOf('\0') >= 0)) {
            throw ApiException.invalid("'" + name + "' is not a valid filter");
        }
        return value;
    }

    private static Instant instant(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("'" + name + "' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static Map<String, Object> view(AuditEntry entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", Long.toString(entry.id()));
        view.put("created_at", entry.createdAt());
        view.put("action", entry.action());
        view.put("outcome", entry.outcome());
        view.put("status", entry.status());
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("user_id", entry.actorUserId() == null ? null : WireId.USER.encode(entry.actorUserId()));
        actor.put("email", entry.actorEmail());
        actor.put("api_key_id", entry.actorApiKeyId() == null ? null : WireId.API_KEY.encode(entry.actorApiKeyId()));
        view.put("actor", actor);
        view.put("resource", entry.resourceId() == null ? null : Map.of("type", entry.resourceType(), "id", entry.resourceId()));
        view.put("team_id", entry.teamId() == null ? null : WireId.TEAM.encode(entry.teamId()));
        view.put("client_address", entry.clientAddress());
        return view;
    }
}
