package io.wrenn.controlplane.metrics;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.sandbox.SandboxService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The metrics routes: a sandbox's series, the team's usage stats, the platform's (admins), and
 * the Prometheus endpoint ({@code GET /metrics}), which answers only a request carrying the
 * operator's metrics token as a bearer token (no API key or person's token opens it).
 */
public final class MetricsRoutes {

    private final Metrics metrics;
    private final SandboxService sandboxes;
    private final byte[] token;

    /** @param metricsToken the operator's token for {@code /metrics}; null or empty: the endpoint answers 404 */
    public MetricsRoutes(Metrics metrics, SandboxService sandboxes, String metricsToken) {
        this.metrics = metrics;
        this.sandboxes = sandboxes;
        this.token = metricsToken == null || metricsToken.isEmpty() ? null
                : ("Bearer " + metricsToken).getBytes(StandardCharsets.UTF_8);
    }

    /** Registers the routes; call before the routes with a {@code {id}} under {@code /v1/sandboxes}. */
    public void register(RouteTable routes) {
        routes.get("/v1/sandboxes/stats", Access.TEAM, ctx -> ctx.json(metrics.usage().stats(
                Authenticator.caller(ctx).requireTeam(), query(ctx, "range"))));
        routes.get("/v1/sandboxes/{id}/metrics", Access.TEAM, ctx -> ctx.json(metrics.sandboxes().series(
                sandboxes.get(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id")),
                query(ctx, "range"), query(ctx, "start"), query(ctx, "end"))));
        routes.get("/v1/admin/stats", Access.ADMIN, ctx -> ctx.json(metrics.usage().platform(query(ctx, "range"))));
        routes.get("/metrics", Access.PUBLIC, this::prometheus);
    }

    private void prometheus(Context ctx) {
        if (token == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no metrics token is configured");
        }
        String authorization = ctx.header("Authorization");
        if (authorization == null || !MessageDigest.isEqual(token, authorization.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(ErrorCode.UNAUTHORIZED, "the metrics token is required");
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.meters().scrape());
    }

    /** A query parameter; an empty one counts as given (and then fails validation), a repeated one is 400. */
    private static String query(Context ctx, String name) {
        var values = ctx.queryParams(name);
        if (values.size() > 1) {
            throw ApiException.invalid("'" + name + "' given more than once");
        }
        return values.isEmpty() ? null : values.getFirst();
    }
}
