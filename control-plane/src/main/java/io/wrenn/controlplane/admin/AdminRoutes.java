package io.wrenn.controlplane.admin;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.account.UserStore;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.SandboxAdmin;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code /v1/admin/*}: the whole platform, for people whose {@code is_admin} is set in the
 * database (read on every call, so revoking it takes effect at once).
 */
public final class AdminRoutes {

    private final AdminStore store;
    private final UserStore users;
    private final SandboxAdmin sandboxes;

    public AdminRoutes(Jdbi jdbi, UserStore users, SandboxAdmin sandboxes) {
        this.store = new AdminStore(jdbi);
        this.users = users;
        this.sandboxes = sandboxes;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/admin/teams", Access.ADMIN, ctx -> ctx.json(Map.of("teams", store.teams())));
        routes.get("/v1/admin/users", Access.ADMIN, ctx -> ctx.json(Map.of("users", store.users())));
        routes.get("/v1/admin/sandboxes", Access.ADMIN, ctx -> ctx.json(Map.of("sandboxes", sandboxes.all(ctx.queryParam("status")))));
        routes.get("/v1/admin/templates", Access.ADMIN, ctx -> ctx.json(Map.of("templates", store.templates())));
        routes.post("/v1/admin/users/{id}/disable", Access.ADMIN, ctx -> setDisabled(ctx, true));
        routes.post("/v1/admin/users/{id}/enable", Access.ADMIN, ctx -> setDisabled(ctx, false));
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
        ctx.status(204);
    }
}
