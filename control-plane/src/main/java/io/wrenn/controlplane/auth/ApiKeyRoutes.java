package io.wrenn.controlplane.auth;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Names;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/api-keys}: a team's keys, managed by its owners and admins with their own token
 * (a key cannot make or list keys). The key is in the create answer and nowhere else, ever.
 */
public final class ApiKeyRoutes {

    // Newest first, by (created_at, id).
    private static final Paging PAGING = Paging.of("key", 2, 100, 1000);

    private final ApiKeyStore keys;

    private final int keysPerUserPerHour;

    public ApiKeyRoutes(ApiKeyStore keys, int keysPerUserPerHour) {
        this.keys = keys;
        this.keysPerUserPerHour = keysPerUserPerHour;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/api-keys", Access.USER_IN_TEAM, this::create);
        routes.get("/v1/api-keys", Access.USER_IN_TEAM, this::list);
        routes.delete("/v1/api-keys/{id}", Access.USER_IN_TEAM, this::delete);
    }

    private void create(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        caller.requireRole(Role.ADMIN);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("name"));
        String name = Names.require("name", body.requiredString("name"));
        if (keys.createdByWithinHour(caller.userId()) >= keysPerUserPerHour) {
            throw new io.wrenn.controlplane.http.ApiException(io.wrenn.api.ErrorCode.RATE_LIMITED,
                    "you created " + keysPerUserPerHour + " API keys in the last hour: try again later");
        }
        String key = ApiKeys.generate();
        UUID id = keys.create(caller.teamId(), name, key, caller.userId());
        AuditTrail.resource(ctx, WireId.API_KEY, id);
        ApiKeyStore.KeyInfo info = keys.find(caller.teamId(), id).orElseThrow();
        Map<String, Object> view = view(info);
        view.put("key", key);
        ctx.status(201).json(view);
    }

    private void list(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        caller.requireRole(Role.ADMIN);
        Paging.PageRequest request = PAGING.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        Paging.Page<ApiKeyStore.KeyInfo> page = PAGING.page(request, keys.page(caller.teamId(), request),
                key -> List.of(Paging.micros(key.createdAt()), key.id().toString()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("api_keys", page.items().stream().map(ApiKeyRoutes::view).toList());
        body.put("next_cursor", page.nextCursor());
        ctx.json(body);
    }

    private void delete(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        UUID id = WireId.API_KEY.decode(ctx.pathParam("id")).orElseThrow(ApiKeyRoutes::notFound);
        // Existence before role: another team's key is 404 whoever asks.
        keys.find(caller.teamId(), id).orElseThrow(ApiKeyRoutes::notFound);
        caller.requireRole(Role.ADMIN);
        if (!keys.revoke(caller.teamId(), id)) {
            throw notFound();
        }
        ctx.status(204);
    }

    private static ApiException notFound() {
        return new ApiException(ErrorCode.API_KEY_NOT_FOUND, "no such API key in your team");
    }

    static Map<String, Object> view(ApiKeyStore.KeyInfo info) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", WireId.API_KEY.encode(info.id()));
        view.put("name", info.name());
        view.put("prefix", info.prefix());
        view.put("created_by", info.createdBy() == null ? null : Map.of(
                "id", WireId.USER.encode(info.createdBy()), "email", info.createdByEmail()));
        view.put("created_at", info.createdAt());
        view.put("last_used_at", info.lastUsedAt());
        return view;
    }

}
