package io.wrenn.controlplane.template;

import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.RouteTable;
import java.util.Map;

/** The {@code /v1/snapshots} routes, and the admins' delete of any team's template. */
public final class SnapshotRoutes {

    private final SnapshotService snapshots;

    public SnapshotRoutes(SnapshotService snapshots) {
        this.snapshots = snapshots;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/snapshots", Access.TEAM, ctx -> ctx.status(201).json(SnapshotView.of(
                snapshots.create(Authenticator.caller(ctx), SnapshotBody.parse(ctx.bodyAsBytes())))));
        routes.get("/v1/snapshots", Access.TEAM, ctx -> ctx.json(Map.of("snapshots",
                snapshots.list(Authenticator.caller(ctx)).stream().map(SnapshotView::of).toList())));
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
}
