package io.wrenn.controlplane.e2b;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.auth.SocketTokens;
import io.wrenn.controlplane.build.Build;
import io.wrenn.controlplane.build.BuildFiles;
import io.wrenn.controlplane.build.BuildService;
import io.wrenn.controlplane.build.BuildStatus;
import io.wrenn.controlplane.build.LogLine;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.template.Template;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * E2B's template build routes over Wrenn's builds: {@code Template.build(template, alias)} asks
 * for a build ({@code POST /v3/templates}: the alias is the template's id), uploads each COPY's
 * files where {@code GET /templates/{id}/files/{hash}} says (a single-use, 60-second upload URL
 * of this control plane), starts it with its steps, and polls its status and logs.
 */
public final class E2bTemplateRoutes {

    private static final String PREFIX = E2bRoutes.PREFIX;
    private static final Set<String> REQUEST_FIELDS = Set.of("name", "alias", "tags", "cpuCount", "memoryMB",
            "minFreeDiskMb", "teamID");
    private static final int LOG_PAGE = 1000;

    private final BuildService builds;
    private final SandboxService sandboxes;
    private final SocketTokens uploadTokens;

    public E2bTemplateRoutes(BuildService builds, SandboxService sandboxes, SocketTokens uploadTokens) {
        this.builds = builds;
        this.sandboxes = sandboxes;
        this.uploadTokens = uploadTokens;
    }

    public void register(RouteTable routes) {
        routes.post(PREFIX + "/v3/templates", Access.TEAM, this::requestBuild);
        routes.get(PREFIX + "/templates/{templateID}/files/{hash}", Access.TEAM, this::uploadLink);
        // Authenticated by the single-use token of its upload link (the SDK sends no key to it).
        routes.put(PREFIX + "/templates/{templateID}/files/{hash}/upload", Access.PUBLIC, this::upload);
        routes.post(PREFIX + "/v2/templates/{templateID}/builds/{buildID}", Access.TEAM, this::startBuild);
        routes.get(PREFIX + "/templates/{templateID}/builds/{buildID}/status", Access.TEAM, this::status);
        routes.get(PREFIX + "/templates/aliases/{alias}", Access.TEAM, this::alias);
    }

    private void requestBuild(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        JsonBody json = JsonBody.parse(ctx.bodyAsBytes(), REQUEST_FIELDS);
        String name = json.string("name").or(() -> json.string("alias"))
                .orElseThrow(() -> ApiException.invalid("'name' is required"));
        if (name.contains(":")) {
            throw ApiException.invalid("template tags ('name:tag') are not supported by Wrenn: give a plain name");
        }
        if (!json.stringList("tags").isEmpty()) {
            throw ApiException.invalid("template tags are not supported by Wrenn");
        }
        var limits = sandboxes.limits();
        BuildService.Machine machine = new BuildService.Machine(
                json.integer("cpuCount", limits.minVcpus(), limits.maxVcpus()).orElse(limits.defaultVcpus()),
                json.integer("memoryMB", limits.minMemoryMb(), limits.maxMemoryMb()).orElse(limits.defaultMemoryMb()),
                BuildService.DEFAULT_DISK_MB + json.integer("minFreeDiskMb", 0, limits.maxDiskSizeMb()).orElse(0));
        if (machine.diskSizeMb() > limits.maxDiskSizeMb()) {
            throw ApiException.invalid("minFreeDiskMb is too large");
        }
        Build build = builds.reserve(caller, name, machine);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("templateID", name);
        body.put("buildID", io.wrenn.controlplane.ids.WireId.BUILD.encode(build.id()));
        body.put("aliases", List.of(name));
        body.put("names", List.of(name));
        body.put("tags", List.of());
        body.put("public", false);
        ctx.status(202).json(body);
    }

    private void uploadLink(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        String hash = hash(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        boolean present = builds.hasArchive(caller, hash);
        body.put("present", present);
        if (!present) {
            String path = PREFIX + "/templates/" + URLEncoder.encode(ctx.pathParam("templateID"), StandardCharsets.UTF_8)
                    + "/files/" + hash + "/upload";
            SocketTokens.Issued token = uploadTokens.issue(caller, path);
            body.put("url", ctx.scheme() + "://" + ctx.host() + path + "?token=" + token.token());
        }
        ctx.json(body);
    }

    private void upload(Context ctx) throws java.io.IOException {
        String token = ctx.queryParam("token");
        Caller caller = token == null ? null : uploadTokens.consume(token, ctx.path()).orElse(null);
        if (caller == null) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid, used or expired upload link");
        }
        builds.storeArchive(caller, hash(ctx), ctx.req().getInputStream());
        ctx.status(201);
    }

    private void startBuild(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        Build build = build(ctx, caller);
        if (build.status() != BuildStatus.PENDING) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the build was already started");
        }
        try {
            E2bTemplateBuild request = E2bTemplateBuild.parse(ctx.bodyAsBytes());
            builds.queueReserved(caller, build, request.text(), request.recipe(), request.noCache());
        } catch (ApiException e) {
            // A refused request frees the name its reservation held.
            builds.cancel(caller, build);
            throw e;
        }
        ctx.status(202);
    }

    private void status(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        Build build = build(ctx, caller);
        int offset = 0;
        String value = ctx.queryParam("logsOffset");
        if (value != null && !value.isEmpty()) {
            if (!value.matches("\\d{1,9}")) {
                throw ApiException.invalid("'logsOffset' must be a whole number");
            }
            offset = Integer.parseInt(value);
        }
        // The state first: lines read after a final state are all the lines there will be.
        Build now = builds.reload(build);
        List<LogLine> lines = builds.logsFrom(build, offset, LOG_PAGE);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("templateID", now.name());
        body.put("buildID", io.wrenn.controlplane.ids.WireId.BUILD.encode(now.id()));
        body.put("status", switch (now.status()) {
            case PENDING, QUEUED -> "waiting";
            case RUNNING -> "building";
            case SUCCEEDED -> "ready";
            case FAILED, CANCELLED -> "error";
        });
        body.put("logEntries", lines.stream().map(E2bTemplateRoutes::entry).toList());
        body.put("logs", lines.stream().map(line -> line.at() + " " + line.line()).toList());
        if (now.status() == BuildStatus.FAILED || now.status() == BuildStatus.CANCELLED) {
            body.put("reason", Map.of("message", now.reason() == null ? now.status().wire() : now.reason()));
        }
        ctx.json(body);
    }

    private void alias(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        Template template = sandboxes.findTemplate(caller.requireTeam(), ctx.pathParam("alias"))
                .orElseThrow(() -> new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "no such template"));
        ctx.json(Map.of("templateID", template.name(), "public", template.isPlatform()));
    }

    private static Map<String, Object> entry(LogLine line) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("timestamp", line.at().toString());
        entry.put("level", line.stream().equals("stderr") ? "warn" : "info");
        entry.put("message", line.line());
        entry.put("step", Integer.toString(line.step()));
        return entry;
    }

    private Build build(Context ctx, Caller caller) {
        Build build = builds.find(caller, ctx.pathParam("buildID"))
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no such build"));
        if (!build.name().equals(ctx.pathParam("templateID"))) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such build of that template");
        }
        return build;
    }

    private static String hash(Context ctx) {
        String hash = ctx.pathParam("hash");
        if (!BuildFiles.SHA256.matcher(hash).matches()) {
            throw ApiException.invalid("a files hash is 64 lower-case hexadecimal digits");
        }
        return hash;
    }
}
