package io.wrenn.controlplane.network;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.RouteTable;
import java.util.Map;

/** {@code GET/PUT /v1/sandboxes/{id}/network}: a sandbox's network settings, changed live. */
public final class NetworkRoutes {

    private final SandboxNetworks networks;
    private final boolean internetDefault;

    public NetworkRoutes(SandboxNetworks networks, boolean internetDefault) {
        this.networks = networks;
        this.internetDefault = internetDefault;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/sandboxes/{id}/network", Access.TEAM, this::get);
        routes.put("/v1/sandboxes/{id}/network", Access.TEAM, this::replace);
    }

    private void get(Context ctx) {
        SandboxNetworks.State state = networks.get(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"));
        ctx.json(view(state.policy(), state.deniedConnections()));
    }

    /** The whole settings object is replaced: fields left out take their defaults. */
    private void replace(Context ctx) {
        NetworkPolicy policy = NetworkPolicy.parseWrenn(JsonBody.parse(ctx.bodyAsBytes(), NetworkPolicy.wrennFields()),
                internetDefault);
        var team = Authenticator.caller(ctx).requireTeam();
        NetworkPolicy applied = networks.update(team, ctx.pathParam("id"), current -> policy);
        ctx.json(view(applied, networks.get(team, ctx.pathParam("id")).deniedConnections()));
    }

    private static Map<String, Object> view(NetworkPolicy policy, long denied) {
        Map<String, Object> view = new java.util.LinkedHashMap<>(policy.wrennView());
        view.put("denied_connections", denied);
        return view;
    }
}
