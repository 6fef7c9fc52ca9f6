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

    public AdminRoutes(Jdbi jdbi, UserStore users, SandboxAdmin sandboxes) {
        this.store = new AdminStore(jdbi);
        this.users = users;
        this.sandboxes = sandboxes;
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
        ctx.status(204);
    }
}
