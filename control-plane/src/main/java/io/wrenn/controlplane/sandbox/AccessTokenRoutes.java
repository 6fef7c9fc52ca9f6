package io.wrenn.controlplane.sandbox;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.RouteTable;

/**
 * {@code POST /v1/sandboxes/{id}/access-token/rotate}: a running sandbox's envd access token is
 * replaced (owners and admins of its team); whoever held the old one (E2B's {@code envdAccessToken})
 * is refused from then on, in the guest and through the traffic proxy, and reads the new one from
 * the E2B facade's sandbox routes.
 */
public final class AccessTokenRoutes {

    private final SandboxService sandboxes;
    private final AccessTokens tokens;

    public AccessTokenRoutes(SandboxService sandboxes, AccessTokens tokens) {
        this.sandboxes = sandboxes;
        this.tokens = tokens;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/sandboxes/{id}/access-token/rotate", Access.TEAM, this::rotate);
    }

    private void rotate(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        // Existence before role: another team's sandbox is 404 whoever asks.
        sandboxes.get(caller.requireTeam(), ctx.pathParam("id"));
        caller.requireRole(Role.ADMIN);
        tokens.rotate(caller.requireTeam(), ctx.pathParam("id"));
        ctx.status(204);
    }
}
