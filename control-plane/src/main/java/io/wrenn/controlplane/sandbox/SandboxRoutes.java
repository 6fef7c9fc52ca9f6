package io.wrenn.controlplane.sandbox;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.ApiKeyAuth;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.RouteTable;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code /v1/sandboxes} routes: thin adapters from HTTP to the services. */
public final class SandboxRoutes {

    private final SandboxService sandboxes;
    private final ExecService exec;
    private final FileTransfer files;

    public SandboxRoutes(SandboxService sandboxes, io.wrenn.controlplane.host.HostAgents agents) {
        this.sandboxes = sandboxes;
        this.exec = new ExecService(sandboxes, agents, sandboxes.limits().execOutputLimitBytes());
        this.files = new FileTransfer(sandboxes, agents, sandboxes.limits().maxUploadBytes());
    }

    public void register(RouteTable routes) {
        routes.post("/v1/sandboxes", this::create);
        routes.get("/v1/sandboxes", this::list);
        routes.get("/v1/sandboxes/{id}", this::get);
        routes.delete("/v1/sandboxes/{id}", this::delete);
        routes.post("/v1/sandboxes/{id}/exec", this::exec);
        routes.put("/v1/sandboxes/{id}/files", this::writeFile);
        routes.get("/v1/sandboxes/{id}/files", this::readFile);
    }

    private void create(Context ctx) {
        CreateSandboxBody request = CreateSandboxBody.parse(ctx.bodyAsBytes(), sandboxes.limits());
        Sandbox sandbox = sandboxes.create(ApiKeyAuth.caller(ctx).teamId(), request);
        ctx.status(201).json(SandboxView.of(sandbox));
    }

    private void list(Context ctx) {
        Set<SandboxStatus> statuses = statusFilter(ctx.queryParam("status"));
        List<SandboxView> views = sandboxes.list(ApiKeyAuth.caller(ctx).teamId(), statuses).stream().map(SandboxView::of).toList();
        ctx.json(Map.of("sandboxes", views));
    }

    private void get(Context ctx) {
        ctx.json(SandboxView.of(sandboxes.get(ApiKeyAuth.caller(ctx).teamId(), ctx.pathParam("id"))));
    }

    private void delete(Context ctx) {
        sandboxes.delete(ApiKeyAuth.caller(ctx).teamId(), ctx.pathParam("id"));
        ctx.status(204);
    }

    private void exec(Context ctx) {
        ExecBody request = ExecBody.parse(ctx.bodyAsBytes(), sandboxes.limits());
        ctx.json(exec.exec(ApiKeyAuth.caller(ctx).teamId(), ctx.pathParam("id"), request));
    }

    private void writeFile(Context ctx) throws Exception {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        String user = Inputs.user("user", orEmpty(ctx.queryParam("user")));
        long written = files.write(ApiKeyAuth.caller(ctx).teamId(), ctx.pathParam("id"), path, user,
                ctx.req().getContentLengthLong(), ctx.req().getInputStream());
        ctx.json(Map.of("path", path, "size", written));
    }

    private void readFile(Context ctx) throws Exception {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        String user = Inputs.user("user", orEmpty(ctx.queryParam("user")));
        FileTransfer.Download download = files.open(ApiKeyAuth.caller(ctx).teamId(), ctx.pathParam("id"), path, user);
        // Written straight to the servlet response: Javalin's result() would buffer or pipe it.
        ctx.res().setStatus(200);
        ctx.res().setContentType("application/octet-stream");
        ctx.res().setContentLengthLong(download.size());
        OutputStream out = ctx.res().getOutputStream();
        download.copyTo(out);
        out.flush();
    }

    /**
     * {@code ?status=} is a comma-separated list of statuses, or {@code all}; without it every
     * sandbox that is not stopped is listed.
     */
    static Set<SandboxStatus> statusFilter(String value) {
        if (value == null || value.isEmpty()) {
            return SandboxService.DEFAULT_LIST;
        }
        if (value.equals("all")) {
            return EnumSet.allOf(SandboxStatus.class);
        }
        Set<SandboxStatus> statuses = EnumSet.noneOf(SandboxStatus.class);
        for (String part : value.split(",", -1)) {
            statuses.add(SandboxStatus.parse(part.trim())
                    .orElseThrow(() -> ApiException.invalid("'status' must be 'all' or a comma-separated list of: "
                            + "starting, running, stopping, stopped, error, unknown")));
        }
        return statuses;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
