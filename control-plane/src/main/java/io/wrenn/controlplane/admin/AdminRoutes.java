package io.wrenn.controlplane.admin;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.account.UserStore;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.SandboxAdmin;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code /v1/admin/*}: the whole platform, for people whose {@code is_admin} is set in the
 * database (read on every call, so revoking it takes effect at once).
 */
public final class AdminRoutes {

    // Oldest first (AdminStore.pageOf); each list has its own tag, so one refuses another's cursor.
    private static final Paging TEAMS = Paging.of("at", 2, 100, 1000);
    private static final Paging USERS = Paging.of("au", 2, 100, 1000);
    private static final Paging TEMPLATES = Paging.of("ap", 2, 100, 1000);

    private final AdminStore store;
    private final UserStore users;
    private final SandboxAdmin sandboxes;
    private final io.wrenn.controlplane.sandbox.SandboxService lifecycle;
    private final TeamContainment containment;
    private final io.wrenn.controlplane.team.QuotaStore quotas;
    private final io.wrenn.controlplane.sandbox.Admission admission;
    private final io.wrenn.controlplane.auth.ApiKeyStore keys;

    public AdminRoutes(Jdbi jdbi, UserStore users, SandboxAdmin sandboxes, io.wrenn.controlplane.sandbox.SandboxService lifecycle,
                       TeamContainment containment, io.wrenn.controlplane.team.QuotaStore quotas,
                       io.wrenn.controlplane.sandbox.Admission admission, io.wrenn.controlplane.auth.ApiKeyStore keys) {
        this.store = new AdminStore(jdbi);
        this.users = users;
        this.sandboxes = sandboxes;
        this.lifecycle = lifecycle;
        this.containment = containment;
        this.quotas = quotas;
        this.admission = admission;
        this.keys = keys;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/admin/teams", Access.ADMIN, ctx -> send(ctx, "teams", store.teams(TEAMS, request(ctx, TEAMS))));
        routes.get("/v1/admin/users", Access.ADMIN, ctx -> send(ctx, "users", store.users(USERS, request(ctx, USERS))));
        routes.get("/v1/admin/sandboxes", Access.ADMIN, ctx -> send(ctx, "sandboxes",
                sandboxes.page(ctx.queryParam("status"), ctx.queryParam("limit"), ctx.queryParam("cursor"))));
        routes.get("/v1/admin/templates", Access.ADMIN,
                ctx -> send(ctx, "templates", store.templates(TEMPLATES, request(ctx, TEMPLATES))));
        routes.post("/v1/admin/users/{id}/disable", Access.ADMIN, ctx -> setDisabled(ctx, true));
        routes.post("/v1/admin/users/{id}/enable", Access.ADMIN, ctx -> setDisabled(ctx, false));
        routes.delete("/v1/admin/sandboxes/{id}", Access.ADMIN, this::stopSandbox);
        routes.post("/v1/admin/sandboxes/{id}/pause", Access.ADMIN, this::pauseSandbox);
        routes.post("/v1/admin/teams/{id}/suspend", Access.ADMIN, this::suspend);
        routes.post("/v1/admin/teams/{id}/unsuspend", Access.ADMIN, this::unsuspend);
        routes.get("/v1/admin/teams/{id}/quota", Access.ADMIN, ctx -> ctx.json(quotaView(team(ctx))));
        routes.put("/v1/admin/teams/{id}/quota", Access.ADMIN, this::setQuota);
    }

    /** Any team's sandbox, stopped (its VM destroyed); idempotent as the team's own delete. */
    private void stopSandbox(Context ctx) {
        io.wrenn.controlplane.sandbox.Sandbox sandbox = anySandbox(ctx);
        io.wrenn.controlplane.audit.AuditTrail.team(ctx, sandbox.teamId());
        lifecycle.delete(sandbox.teamId(), ctx.pathParam("id"));
        ctx.status(204);
    }

    private void pauseSandbox(Context ctx) {
        io.wrenn.controlplane.sandbox.Sandbox sandbox = anySandbox(ctx);
        io.wrenn.controlplane.audit.AuditTrail.team(ctx, sandbox.teamId());
        ctx.json(io.wrenn.controlplane.sandbox.SandboxView.of(lifecycle.pause(sandbox.teamId(), ctx.pathParam("id"))));
    }

    private io.wrenn.controlplane.sandbox.Sandbox anySandbox(Context ctx) {
        return lifecycle.findAnyTeam(ctx.pathParam("id"))
                .orElseThrow(() -> new ApiException(ErrorCode.SANDBOX_NOT_FOUND, "no such sandbox"));
    }

    private UUID team(Context ctx) {
        return WireId.TEAM.decode(ctx.pathParam("id"))
                .orElseThrow(() -> new ApiException(ErrorCode.TEAM_NOT_FOUND, "no such team"));
    }

    private void suspend(Context ctx) {
        UUID team = team(ctx);
        io.wrenn.controlplane.http.JsonBody body = ctx.bodyAsBytes().length == 0
                ? io.wrenn.controlplane.http.JsonBody.parse("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Set.of())
                : io.wrenn.controlplane.http.JsonBody.parse(ctx.bodyAsBytes(), java.util.Set.of("reason", "sandboxes"));
        String reason = body.string("reason").orElse(null);
        if (reason != null && (reason.length() > 500 || reason.chars().anyMatch(Character::isISOControl))) {
            throw ApiException.invalid("'reason' must be at most 500 printable characters");
        }
        String mode = body.string("sandboxes").orElse("pause");
        if (!mode.equals("pause") && !mode.equals("stop")) {
            throw ApiException.invalid("'sandboxes' must be 'pause' or 'stop'");
        }
        io.wrenn.controlplane.audit.AuditTrail.team(ctx, team);
        io.wrenn.controlplane.audit.AuditTrail.resource(ctx, WireId.TEAM, team);
        TeamContainment.Outcome outcome = containment.suspend(team, reason, mode.equals("stop"));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("team_id", WireId.TEAM.encode(team));
        view.put("suspended", true);
        view.put("sandboxes_paused", outcome.paused());
        view.put("sandboxes_stopped", outcome.stopped());
        ctx.json(view);
    }

    private void unsuspend(Context ctx) {
        UUID team = team(ctx);
        io.wrenn.controlplane.audit.AuditTrail.team(ctx, team);
        io.wrenn.controlplane.audit.AuditTrail.resource(ctx, WireId.TEAM, team);
        containment.unsuspend(team);
        ctx.status(204);
    }

    private static final java.util.Set<String> QUOTA_FIELDS = java.util.Set.of("max_running", "max_paused", "max_disk_mb",
            "max_concurrent_builds");

    private void setQuota(Context ctx) {
        UUID team = team(ctx);
        io.wrenn.controlplane.http.JsonBody body = io.wrenn.controlplane.http.JsonBody.parse(ctx.bodyAsBytes(), QUOTA_FIELDS);
        java.util.OptionalInt running = body.integer("max_running", 0, 100_000);
        java.util.OptionalInt paused = body.integer("max_paused", 0, 100_000);
        java.util.OptionalInt disk = body.integer("max_disk_mb", 0, Integer.MAX_VALUE);
        java.util.OptionalInt builds = body.integer("max_concurrent_builds", 0, 1_000);
        io.wrenn.controlplane.audit.AuditTrail.team(ctx, team);
        io.wrenn.controlplane.audit.AuditTrail.resource(ctx, WireId.TEAM, team);
        if (!quotas.set(team, boxed(running), boxed(paused), boxed(disk).map(Integer::longValue), boxed(builds))) {
            throw new ApiException(ErrorCode.TEAM_NOT_FOUND, "no such team");
        }
        ctx.json(quotaView(team));
    }

    private static java.util.Optional<Integer> boxed(java.util.OptionalInt value) {
        return value.isPresent() ? java.util.Optional.of(value.getAsInt()) : java.util.Optional.empty();
    }

    private Map<String, Object> quotaView(UUID team) {
        if (!store.teamExists(team)) {
            throw new ApiException(ErrorCode.TEAM_NOT_FOUND, "no such team");
        }
        io.wrenn.controlplane.team.TeamQuota quota = quotas.of(team);
        io.wrenn.controlplane.sandbox.Admission.TeamUsage usage = admission.usage(team);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("team_id", WireId.TEAM.encode(team));
        view.put("max_running", quota.maxRunning());
        view.put("max_paused", quota.maxPaused());
        view.put("max_disk_mb", quota.maxDiskMb());
        view.put("max_concurrent_builds", quota.maxConcurrentBuilds());
        Map<String, Object> used = new LinkedHashMap<>();
        used.put("running", usage.running());
        used.put("paused", usage.paused());
        used.put("disk_mb", usage.diskMb());
        view.put("usage", used);
        return view;
    }

    private static Paging.PageRequest request(Context ctx, Paging paging) {
        return paging.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
    }

    /** A page as every list sends it: the rows under the list's own name, then the next cursor. */
    private static void send(Context ctx, String field, Paging.Page<Map<String, Object>> page) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(field, page.items());
        body.put("next_cursor", page.nextCursor());
        ctx.json(body);
    }

    private void setDisabled(Context ctx, boolean disabled) {
        UUID id = WireId.USER.decode(ctx.pathParam("id"))
                .orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND, "no such user"));
        if (disabled && id.equals(Authenticator.caller(ctx).userId())) {
            throw new ApiException(ErrorCode.CONFLICT, "admins cannot disable themselves");
        }
        if (!users.setDisabled(id, disabled)) {
            throw new ApiException(ErrorCode.USER_NOT_FOUND, "no such user");
        }
        if (disabled) {
            // What they made must not outlive their access: the keys they created stop at once.
            // Enabling them again does not bring those keys back.
            keys.revokeCreatedBy(id);
        }
        ctx.status(204);
    }
}
