package io.wrenn.controlplane.sandbox;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The {@code /v1/sandboxes} routes: thin adapters from HTTP to the services. */
public final class SandboxRoutes {

    /** The team's list: newest first (see {@link SandboxStore#page}). */
    private static final Paging PAGING = Paging.of("sb", 2, 100, 1000);

    private final SandboxService sandboxes;
    private final ExecService exec;
    private final FileTransfer files;
    private final ProcessSocket processSocket;
    private final GuestCalls guest;
    private final DirectoryWatch watcher;
    private final io.wrenn.controlplane.auth.SocketTokens socketTokens;

    public SandboxRoutes(SandboxService sandboxes, io.wrenn.controlplane.host.HostAgents agents,
            io.wrenn.controlplane.auth.SocketTokens socketTokens) {
        this.sandboxes = sandboxes;
        this.socketTokens = socketTokens;
        this.exec = new ExecService(sandboxes, agents, sandboxes.limits().execOutputLimitBytes());
        this.files = new FileTransfer(sandboxes, agents, sandboxes.limits().maxUploadBytes());
        this.processSocket = new ProcessSocket(sandboxes, agents);
        this.guest = new GuestCalls(sandboxes, agents);
        this.watcher = new DirectoryWatch(sandboxes, agents);
    }

    public void register(RouteTable routes) {
        routes.post("/v1/sandboxes", Access.TEAM, this::create);
        routes.get("/v1/sandboxes", Access.TEAM, this::list);
        routes.get("/v1/sandboxes/{id}", Access.TEAM, this::get);
        routes.delete("/v1/sandboxes/{id}", Access.TEAM, this::delete);
        routes.post("/v1/sandboxes/{id}/exec", Access.TEAM, this::exec);
        routes.post("/v1/sandboxes/{id}/pause", Access.TEAM, this::pause);
        routes.post("/v1/sandboxes/{id}/resume", Access.TEAM, this::resume);
        routes.put("/v1/sandboxes/{id}/files", Access.TEAM, this::writeFile);
        routes.get("/v1/sandboxes/{id}/files", Access.TEAM, this::readFile);
        routes.websocket(ProcessSocket.PATH, Access.TEAM,
                ctx -> processSocket.placement(Authenticator.caller(ctx), ctx.pathParam("id")),
                ws -> processSocket.configure(ws, Authenticator::caller));
        routes.get("/v1/sandboxes/{id}/processes", Access.TEAM, this::listProcesses);
        routes.post("/v1/sandboxes/{id}/ws-token", Access.TEAM, this::socketToken);
        routes.post("/v1/sandboxes/{id}/files", Access.TEAM, this::uploadFiles);
        routes.get("/v1/sandboxes/{id}/files/watch", Access.TEAM, this::watchDirectory);
        routes.get("/v1/sandboxes/{id}/files/list", Access.TEAM, this::listFiles);
        routes.get("/v1/sandboxes/{id}/files/stat", Access.TEAM, this::statFile);
        routes.post("/v1/sandboxes/{id}/files/mkdir", Access.TEAM, this::makeDir);
        routes.post("/v1/sandboxes/{id}/files/move", Access.TEAM, this::moveFile);
        routes.delete("/v1/sandboxes/{id}/files", Access.TEAM, this::removeFile);
        routes.post("/v1/sandboxes/{id}/processes/{pid}/signal", Access.TEAM, this::signalProcess);
    }

    /** Body optional: {@code {"memory": false}} keeps only the disk (the resume boots it). */
    private void pause(Context ctx) {
        boolean memory = JsonBody.parse(ctx.bodyAsBytes(), Set.of("memory")).bool("memory", true);
        ctx.json(SandboxView.of(sandboxes.pause(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), memory)));
    }

    /** Body optional: {@code {"reboot": true}} boots the kept disk and gives up the saved memory. */
    private void resume(Context ctx) {
        boolean reboot = JsonBody.parse(ctx.bodyAsBytes(), Set.of("reboot")).bool("reboot", false);
        ctx.json(SandboxView.of(sandboxes.resume(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), reboot)));
    }

    /** Multipart upload: every {@code file} part lands in the directory {@code path} under its own file name. */
    private void uploadFiles(Context ctx) throws Exception {
        String directory = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        String user = user(ctx);
        UUID team = Authenticator.caller(ctx).requireTeam();
        // Ownership first: another team's sandbox is 404 whatever the body looks like.
        sandboxes.requireRunning(team, ctx.pathParam("id"));
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiException.invalid("upload as multipart/form-data with 'file' parts, or PUT the raw body");
        }
        if (ctx.req().getContentLengthLong() > sandboxes.limits().maxUploadBytes()) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "uploads are limited to " + sandboxes.limits().maxUploadBytes() + " bytes");
        }
        List<io.javalin.http.UploadedFile> parts;
        try {
            parts = ctx.uploadedFiles("file");
        } catch (Exception e) {
            // The servlet API reports a malformed body as a checked ServletException (wrapping the
            // HTTP parser's 400), which Javalin passes through undeclared: caught here too, or it is a 500.
            throw tooLargeOrMalformed(e);
        }
        if (parts.isEmpty()) {
            throw ApiException.invalid("no 'file' part in the upload");
        }
        List<Map<String, Object>> written = new java.util.ArrayList<>();
        for (io.javalin.http.UploadedFile part : parts) {
            String target = (directory.endsWith("/") ? directory : directory + "/") + Inputs.fileName(part.filename());
            try (var content = part.content()) {
                long size = files.write(team, ctx.pathParam("id"), target, user, part.size(), content);
                written.add(Map.of("path", target, "size", size));
            }
        }
        ctx.json(Map.of("files", written));
    }

    private static ApiException tooLargeOrMalformed(Exception e) {
        String message = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
        if (message.contains("exceeds") || message.contains("too large") || message.contains("max")) {
            return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the upload is over the server's limit");
        }
        return ApiException.invalid("the multipart body is malformed");
    }

    /** Server-sent events: {@code start}, then one {@code change} per change, until the client goes. */
    private void watchDirectory(Context ctx) throws Exception {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        boolean recursive = "true".equals(ctx.queryParam("recursive"));
        if (ctx.queryParam("recursive") != null && !recursive && !"false".equals(ctx.queryParam("recursive"))) {
            throw ApiException.invalid("'recursive' must be true or false");
        }
        watcher.watch(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), path, recursive, user(ctx), ctx);
    }

    private void listFiles(Context ctx) {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        int depth = depth(ctx.queryParam("depth"));
        ctx.json(Map.of("entries", guest.list(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), path, depth, user(ctx))));
    }

    private void statFile(Context ctx) {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        ctx.json(guest.stat(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), path, user(ctx)));
    }

    private void makeDir(Context ctx) {
        PathBody body = PathBody.parse(ctx.bodyAsBytes(), false);
        ctx.status(201).json(guest.makeDir(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), body.path(), body.user()));
    }

    private void moveFile(Context ctx) {
        PathBody body = PathBody.parse(ctx.bodyAsBytes(), true);
        ctx.json(guest.move(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), body.path(), body.destination(), body.user()));
    }

    private void removeFile(Context ctx) {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        if (path.equals("/")) {
            throw ApiException.invalid("'path' must not be the root directory");
        }
        guest.remove(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), path, user(ctx));
        ctx.status(204);
    }

    private static String user(Context ctx) {
        return Inputs.user("user", orEmpty(ctx.queryParam("user")));
    }

    private static int depth(String value) {
        if (value == null || value.isEmpty()) {
            return 1;
        }
        try {
            int depth = Integer.parseInt(value);
            if (depth >= 1 && depth <= 32) {
                return depth;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("'depth' must be an integer from 1 to 32");
    }

    /** A single-use token for a browser to open this sandbox's process socket with {@code ?token=}. */
    private void socketToken(Context ctx) {
        JsonBody.parse(ctx.bodyAsBytes(), Set.of());
        var caller = Authenticator.caller(ctx);
        sandboxes.requireRunning(caller.requireTeam(), ctx.pathParam("id"));
        String path = ProcessSocket.PATH.replace("{id}", ctx.pathParam("id"));
        var issued = socketTokens.issue(caller, path);
        ctx.status(201).json(Map.of("token", issued.token(), "expires_at", issued.expiresAt().toString(),
                "url_path", path + "?token=" + issued.token()));
    }

    private void listProcesses(Context ctx) {
        ctx.json(Map.of("processes", guest.listProcesses(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"))));
    }

    private void signalProcess(Context ctx) {
        int pid = Inputs.pid(ctx.pathParam("pid"));
        String signal = SignalBody.parse(ctx.bodyAsBytes());
        guest.signal(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), pid, signal);
        ctx.status(204);
    }

    private void create(Context ctx) {
        CreateSandboxBody request = CreateSandboxBody.parse(ctx.bodyAsBytes(), sandboxes.limits());
        Sandbox sandbox = sandboxes.create(Authenticator.caller(ctx).requireTeam(), request);
        AuditTrail.resource(ctx, WireId.SANDBOX, sandbox.id());
        ctx.status(201).json(SandboxView.of(sandbox));
    }

    /** The JSON of one list page; the answer of a repeated list is kept rendered ({@link SandboxCache}). */
    private void list(Context ctx) {
        Set<SandboxStatus> statuses = statusFilter(ctx.queryParam("status"));
        Paging.PageRequest request = PAGING.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        json(ctx, sandboxes.pageRendered(Authenticator.caller(ctx).requireTeam(), statuses, Map.of(), request, "v1", rows -> {
            Paging.Page<Sandbox> page = PAGING.page(request, rows, SandboxStore::pageKey);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("sandboxes", page.items().stream().map(SandboxView::of).toList());
            body.put("next_cursor", page.nextCursor());
            return Jsons.mapper().writeValueAsBytes(body);
        }));
    }

    private void get(Context ctx) {
        json(ctx, sandboxes.readRendered(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), "v1",
                sandbox -> Jsons.mapper().writeValueAsBytes(SandboxView.of(sandbox))));
    }

    /** What {@code ctx.json} would send, already rendered by the same mapper. */
    private static void json(Context ctx, byte[] body) {
        ctx.contentType(io.javalin.http.ContentType.APPLICATION_JSON).result(body);
    }

    private void delete(Context ctx) {
        sandboxes.delete(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"));
        ctx.status(204);
    }

    private void exec(Context ctx) {
        ExecBody request = ExecBody.parse(ctx.bodyAsBytes(), sandboxes.limits());
        ctx.json(exec.exec(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), request));
    }

    private void writeFile(Context ctx) throws Exception {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        String user = Inputs.user("user", orEmpty(ctx.queryParam("user")));
        long written = files.write(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), path, user,
                ctx.req().getContentLengthLong(), ctx.req().getInputStream());
        ctx.json(Map.of("path", path, "size", written));
    }

    private void readFile(Context ctx) throws Exception {
        String path = Inputs.absolutePath("path", ctx.queryParam("path"), true);
        String user = Inputs.user("user", orEmpty(ctx.queryParam("user")));
        UUID team = Authenticator.caller(ctx).requireTeam();
        String range = ctx.header("Range");
        FileTransfer.Download download;
        ctx.header("Accept-Ranges", "bytes");
        if (range == null) {
            download = files.open(team, ctx.pathParam("id"), path, user);
            ctx.res().setStatus(200);
            ctx.res().setContentLengthLong(download.size());
        } else {
            long size = ((Number) guest.stat(team, ctx.pathParam("id"), path, user).get("size")).longValue();
            Optional<ByteRange> bytes = ByteRange.parse(range, size);
            if (bytes.isEmpty()) {
                ctx.header("Content-Range", "bytes */" + size);
                throw new ApiException(ErrorCode.RANGE_NOT_SATISFIABLE, "the range is outside the file's " + size + " bytes");
            }
            ByteRange r = bytes.get();
            download = files.open(team, ctx.pathParam("id"), path, user, r.first(), r.length());
            ctx.res().setStatus(206);
            ctx.res().setHeader("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size);
            ctx.res().setContentLengthLong(r.length());
        }
        // Written straight to the servlet response: Javalin's result() would buffer or pipe it.
        ctx.res().setContentType("application/octet-stream");
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
                            + "starting, running, pausing, paused, resuming, stopping, stopped, error, unknown")));
        }
        return statuses;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
