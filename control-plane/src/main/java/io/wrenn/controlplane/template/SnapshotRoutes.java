package io.wrenn.controlplane.template;

import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import java.util.Map;

/** The {@code /v1/snapshots} routes, and the admins' delete of any team's template. */
public final class SnapshotRoutes {

    // By name, then team (a team's snapshot and a platform one may share a name).
    private static final Paging PAGING = Paging.of("snap", 2, 100, 1000);

    private final SnapshotService snapshots;

    public SnapshotRoutes(SnapshotService snapshots) {
        this.snapshots = snapshots;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/snapshots", Access.TEAM, ctx -> ctx.status(201).json(SnapshotView.of(
                snapshots.create(Authenticator.caller(ctx), SnapshotBody.parse(ctx.bodyAsBytes())))));
        routes.get("/v1/snapshots", Access.TEAM, this::list);
        routes.get("/v1/snapshots/{name}", Access.TEAM, ctx -> ctx.json(SnapshotView.of(
                snapshots.get(Authenticator.caller(ctx), ctx.pathParam("name")))));
        routes.delete("/v1/snapshots/{name}", Access.TEAM, ctx -> {
            snapshots.delete(Authenticator.caller(ctx), ctx.pathParam("name"));
            ctx.status(204);
        });
        routes.delete("/v1/admin/templates/{id}", Access.ADMIN, ctx -> {
            snapshots.deleteAsAdmin(Authenticator.caller(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    private void list(io.javalin.http.Context ctx) {
        Paging.PageRequest request = PAGING.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        Paging.Page<Template> page = PAGING.page(request, snapshots.page(Authenticator.caller(ctx), request),
                template -> java.util.List.of(template.teamId().toString(), template.name()));
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("snapshots", page.items().stream().map(SnapshotView::of).toList());
        body.put("next_cursor", page.nextCursor());
        ctx.json(body);
    }
}
