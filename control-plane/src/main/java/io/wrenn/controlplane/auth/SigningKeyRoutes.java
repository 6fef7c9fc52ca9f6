package io.wrenn.controlplane.auth;

import io.javalin.http.Context;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.RouteTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/admin/signing-keys/rotate} (platform admins): a new key signs people's tokens
 * from now on; the tokens of the retired one stay valid until they expire, unless
 * {@code drop_retired} is set (a leaked key: they all stop at once). Secrets are never shown.
 */
public final class SigningKeyRoutes {

    private final SigningKeys keys;

    public SigningKeyRoutes(SigningKeys keys) {
        this.keys = keys;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/admin/signing-keys/rotate", Access.ADMIN, this::rotate);
    }

    private void rotate(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("drop_retired"));
        List<SigningKeys.Key> kept = keys.rotate(body.bool("drop_retired", false));
        SigningKeys.Key signing = kept.stream().filter(k -> k.retiredAt() == null).findFirst().orElseThrow();
        AuditTrail.resource(ctx, "signing_key", signing.kid());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("kid", signing.kid());
        view.put("keys", kept.stream().map(this::view).toList());
        ctx.json(view);
    }

    private Map<String, Object> view(SigningKeys.Key key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("kid", key.kid());
        view.put("created_at", key.createdAt().toString());
        view.put("retired_at", key.retiredAt() == null ? null : key.retiredAt().toString());
        view.put("deleted_after", key.deletedAfter(keys.keep()).map(Object::toString).orElse(null));
        return view;
    }
}
