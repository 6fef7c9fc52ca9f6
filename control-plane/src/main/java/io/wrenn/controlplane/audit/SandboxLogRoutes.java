package io.wrenn.controlplane.audit;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /v1/sandboxes/{id}/logs}: what happened to one sandbox, for anyone who may use it
 * (an API key of its team included): its lifecycle as its row records it (created, first
 * running, paused while it is, stopped and why) and the API calls made on it, from the audit log, oldest first.
 * Only what the caller's team could already see of its own sandbox is shown: a call's route,
 * outcome, status and the id of the key or person who made it, never an email or an address
 * (those stay in the team admins' audit log).
 */
public final class SandboxLogRoutes {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AuditLog auditLog;
    private final SandboxService sandboxes;

    public SandboxLogRoutes(AuditLog auditLog, SandboxService sandboxes) {
        this.auditLog = auditLog;
        this.sandboxes = sandboxes;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/sandboxes/{id}/logs", Access.TEAM, this::logs);
    }

    private void logs(Context ctx) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!name.equals("limit")) {
                throw ApiException.invalid("unknown query parameter '" + name + "'");
            }
        }
        int limit = limit(ctx.queryParams("limit"));
        UUID team = Authenticator.caller(ctx).requireTeam();
        Sandbox sandbox = sandboxes.get(team, ctx.pathParam("id"));
        String wireId = WireId.SANDBOX.encode(sandbox.id());

        List<Map<String, Object>> events = new ArrayList<>(lifecycle(sandbox));
        AuditLog.Filter filter = new AuditLog.Filter(null, null, null, wireId, null, null, null, null, limit);
        for (AuditEntry entry : auditLog.find(team, filter)) {
            events.add(request(entry));
        }
        events.sort(Comparator.comparing(event -> (Instant) event.get("at")));
        List<Map<String, Object>> newest = events.subList(Math.max(0, events.size() - limit), events.size());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sandbox_id", wireId);
        body.put("events", newest);
        ctx.json(body);
    }

    private static int limit(List<String> values) {
        if (values.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        if (values.size() > 1 || !values.getFirst().matches("\\d{1,4}")) {
            throw ApiException.invalid("'limit' must be a whole number from 1 to " + MAX_LIMIT);
        }
        int limit = Integer.parseInt(values.getFirst());
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("'limit' must be a whole number from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    /** The sandbox's life as its row has it: each of these times is kept once (the latest). */
    private static List<Map<String, Object>> lifecycle(Sandbox sandbox) {
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(event(sandbox.createdAt(), "lifecycle", "created", "template " + sandbox.templateName()));
        if (sandbox.startedAt() != null) {
            events.add(event(sandbox.startedAt(), "lifecycle", "running",
                    sandbox.bootMs() == null ? null : "ready in " + sandbox.bootMs() + " ms"));
        }
        if (sandbox.pausedAt() != null && sandbox.status() == SandboxStatus.PAUSED) {
            events.add(event(sandbox.pausedAt(), "lifecycle", "paused", sandbox.statusReason()));
        }
        if (sandbox.stoppedAt() != null) {
            events.add(event(sandbox.stoppedAt(), "lifecycle", sandbox.status().wire(), sandbox.statusReason()));
        }
        return events;
    }

    private static Map<String, Object> request(AuditEntry entry) {
        Map<String, Object> event = event(entry.createdAt(), "request", entry.action(), null);
        event.put("outcome", entry.outcome());
        event.put("status", entry.status());
        event.put("actor", entry.actorApiKeyId() != null ? WireId.API_KEY.encode(entry.actorApiKeyId())
                : entry.actorUserId() != null ? WireId.USER.encode(entry.actorUserId()) : null);
        return event;
    }

    private static Map<String, Object> event(Instant at, String source, String name, String detail) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("at", at);
        event.put("source", source);
        event.put("event", name);
        event.put("detail", detail);
        event.put("outcome", null);
        event.put("status", null);
        event.put("actor", null);
        return event;
    }
}
