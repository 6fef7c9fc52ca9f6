package io.wrenn.controlplane.fork;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/sandboxes/{id}/fork {count, timeout_s}}: 201 with one entry per fork,
 * {@code {sandbox}} or {@code {error: {code, message}}}.
 */
public final class ForkRoutes {

    private final ForkService forks;
    private final SandboxService sandboxes;

    public ForkRoutes(ForkService forks, SandboxService sandboxes) {
        this.forks = forks;
        this.sandboxes = sandboxes;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/sandboxes/{id}/fork", Access.TEAM, this::fork);
    }

    private void fork(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("count", "timeout_s"));
        int count = body.integer("count", 1, ForkService.MAX_COUNT).orElse(1);
        int timeout = body.integer("timeout_s", 1, sandboxes.limits().maxTimeoutS())
                .orElse(sandboxes.limits().defaultTimeoutS());
        List<ForkService.Outcome> outcomes = forks.fork(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"),
                count, timeout);
        ctx.status(201).json(Map.of("forks", outcomes.stream().map(ForkRoutes::view).toList()));
    }

    private static Map<String, Object> view(ForkService.Outcome outcome) {
        Map<String, Object> view = new LinkedHashMap<>();
        if (outcome.sandbox() != null) {
            view.put("sandbox", SandboxView.of(outcome.sandbox()));
        } else {
            // The status a call of its own would have answered, so that clients raise the same error.
            view.put("error", Map.of("code", outcome.error().code().code(), "message", outcome.error().getMessage(),
                    "status", outcome.error().code().httpStatus()));
        }
        return view;
    }
}
