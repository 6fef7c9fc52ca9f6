package io.wrenn.controlplane.e2b;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.host.HostTraffic;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.metrics.SandboxMetrics;
import io.wrenn.controlplane.network.NetworkPolicy;
import io.wrenn.controlplane.network.SandboxNetworks;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * The E2B-compatible REST facade under {@code /e2b} ({@code E2B_API_URL=http://HOST:PORT/e2b}):
 * the sandbox routes of E2B's REST spec that its SDKs call, as adapters over Wrenn's own
 * services, authenticated by the team's API key like every team route. Errors are E2B's
 * {@code {code: <HTTP status>, message}} (see {@code ErrorHandlers}). docs/e2b-conformance.md
 * lists what is supported.
 */
public final class E2bRoutes {

    public static final String PREFIX = "/e2b";
    /** E2B's connect timeout when the body has none, in seconds. */
    private static final int CONNECT_DEFAULT_TIMEOUT_S = 300;
    private static final Set<SandboxStatus> LISTED = EnumSet.of(SandboxStatus.RUNNING, SandboxStatus.PAUSED);

    private final SandboxService sandboxes;
    private final SandboxNetworks networks;
    private final HostTraffic traffic;
    private final String sandboxDomain;
    private final TrafficProxy proxy;
    private final SandboxMetrics metrics;
    private final io.wrenn.controlplane.sandbox.AccessTokens tokens;

    public E2bRoutes(SandboxService sandboxes, SandboxNetworks networks, HostTraffic traffic, TrafficProxy proxy,
            String sandboxDomain, SandboxMetrics metrics, io.wrenn.controlplane.sandbox.AccessTokens tokens) {
        this.metrics = metrics;
        this.tokens = tokens;
        this.sandboxes = sandboxes;
        this.networks = networks;
        this.sandboxDomain = sandboxDomain;
        this.traffic = traffic;
        this.proxy = proxy;
    }

    public void register(RouteTable routes) {
        routes.post(PREFIX + "/sandboxes", Access.TEAM, this::create);
        routes.post(PREFIX + "/v2/sandboxes", Access.TEAM, this::create);
        routes.get(PREFIX + "/sandboxes", Access.TEAM, this::listV1);
        routes.get(PREFIX + "/v2/sandboxes", Access.TEAM, this::listV2);
        // Before "/sandboxes/{id}": "metrics" is not a sandbox id.
        routes.get(PREFIX + "/sandboxes/metrics", Access.TEAM, this::latestMetrics);
        routes.get(PREFIX + "/sandboxes/{id}", Access.TEAM, this::get);
        routes.delete(PREFIX + "/sandboxes/{id}", Access.TEAM, this::kill);
        routes.post(PREFIX + "/sandboxes/{id}/timeout", Access.TEAM, this::setTimeout);
        routes.post(PREFIX + "/sandboxes/{id}/refreshes", Access.TEAM, this::refresh);
        routes.post(PREFIX + "/sandboxes/{id}/connect", Access.TEAM, this::connect);
        routes.post(PREFIX + "/v2/sandboxes/{id}/connect", Access.TEAM, this::connect);
        routes.post(PREFIX + "/sandboxes/{id}/pause", Access.TEAM, this::pause);
        routes.post(PREFIX + "/sandboxes/{id}/resume", Access.TEAM, this::resume);
        routes.get(PREFIX + "/sandboxes/{id}/metrics", Access.TEAM, this::metrics);
        routes.put(PREFIX + "/sandboxes/{id}/network", Access.TEAM, this::updateNetwork);
        // The traffic route checks its own credentials (a sandbox's token or the team's key).
        routes.anyMethod(TrafficProxy.PREFIX, Access.PUBLIC, proxy::handle);
        routes.anyMethod(TrafficProxy.PREFIX + "/<path>", Access.PUBLIC, proxy::handle);
        // The SDKs' signed file URLs resolve "/files" against the sandbox URL: the server's root.
        routes.get("/files", Access.PUBLIC, proxy::handleSignedFile);
        routes.post("/files", Access.PUBLIC, proxy::handleSignedFile);
    }

    private void create(Context ctx) {
        E2bCreateBody request = E2bCreateBody.parse(ctx.bodyAsBytes(), sandboxes.limits());
        Sandbox sandbox = sandboxes.create(team(ctx), request.wrenn());
        AuditTrail.resource(ctx, WireId.SANDBOX, sandbox.id());
        if (request.autoResume()) {
            sandboxes.autoResume(sandbox, true);
        }
        ctx.status(201).json(E2bViews.created(sandbox, handOut(ctx, sandbox), networks.policy(sandbox), sandboxDomain));
    }

    private void get(Context ctx) {
        Sandbox sandbox = live(ctx);
        ctx.json(E2bViews.detail(sandbox, handOut(ctx, sandbox), sandboxes.autoResume(sandbox),
                networks.policy(sandbox), sandboxDomain));
    }

    /** E2B's network update: the egress lists replaced whole, live (see {@link NetworkPolicy#withE2bUpdate}). */
    private void updateNetwork(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), NetworkPolicy.e2bUpdateFields());
        Sandbox sandbox = live(ctx);
        networks.update(team(ctx), WireId.SANDBOX.encode(sandbox.id()), current -> current.withE2bUpdate(body));
        ctx.status(204);
    }

    private void listV1(Context ctx) {
        SandboxListQuery query = SandboxListQuery.parse(ctx.queryParam("state"), ctx.queryParam("metadata"), null, null);
        ctx.json(query.page(sandboxes.list(team(ctx), LISTED)).items().stream().map(E2bViews::listed).toList());
    }

    private void listV2(Context ctx) {
        SandboxListQuery query = SandboxListQuery.parse(ctx.queryParam("state"), ctx.queryParam("metadata"),
                ctx.queryParam("limit"), ctx.queryParam("nextToken"));
        SandboxListQuery.Page page = query.page(
                sandboxes.page(team(ctx), query.statuses(LISTED), query.metadata(), query.request()));
        if (page.nextToken() != null) {
            ctx.header("X-Next-Token", page.nextToken());
        }
        ctx.json(page.items().stream().map(E2bViews::listed).toList());
    }

    private void kill(Context ctx) {
        Sandbox sandbox = live(ctx);
        sandboxes.delete(team(ctx), WireId.SANDBOX.encode(sandbox.id()));
        ctx.status(204);
    }

    /** E2B's set-timeout: the sandbox ends {@code timeout} seconds from now, sooner or later than before. */
    private void setTimeout(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("timeout"));
        int timeout = body.integer("timeout", 1, sandboxes.limits().maxTimeoutS())
                .orElseThrow(() -> ApiException.invalid("'timeout' is required"));
        sandboxes.setTimeout(team(ctx), ctx.pathParam("id"), timeout);
        ctx.status(204);
    }

    /** E2B's refresh: keeps the sandbox alive at least {@code duration} seconds more (default: its timeout). */
    private void refresh(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("duration"));
        Sandbox sandbox = live(ctx);
        int duration = body.integer("duration", 0, 3600).orElse(sandbox.timeoutS());
        extend(ctx, sandbox, duration);
        ctx.status(204);
    }

    /**
     * E2B's connect: a paused sandbox is resumed (201), a running one kept (200); either way its
     * timeout is extended (never shortened) to {@code timeout} seconds from now (E2B's default:
     * {@value #CONNECT_DEFAULT_TIMEOUT_S}, what the SDKs rely on when the caller gives none) and
     * its connection details returned.
     */
    private void connect(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("timeout", "memory"));
        int timeout = body.integer("timeout", 0, sandboxes.limits().maxTimeoutS())
                .orElse(Math.min(CONNECT_DEFAULT_TIMEOUT_S, sandboxes.limits().maxTimeoutS()));
        // false (the SDK's onResume: 'reboot'): a paused sandbox's disk is booted, its memory given up.
        boolean memory = body.bool("memory", true);
        Sandbox sandbox = live(ctx);
        boolean resumed = false;
        if (sandbox.status() == SandboxStatus.PAUSED) {
            // E2B keeps a sandbox's access token across a pause, and its SDKs go on using the
            // token of the object they hold after a connect: the token is kept (it is replaced on
            // demand and when the credential that fetched it ends; Wrenn's own resume replaces it).
            sandbox = sandboxes.resume(team(ctx), ctx.pathParam("id"), !memory, false);
            resumed = true;
        }
        sandbox = extend(ctx, sandbox, timeout);
        ctx.status(resumed ? 201 : 200).json(E2bViews.created(sandbox, handOut(ctx, sandbox), networks.policy(sandbox), sandboxDomain));
    }

    /**
     * Saves memory, processes and files and frees the VM; with {@code memory: false} (the SDK's
     * {@code keepMemory: false}) only the files, and the resume boots them. Pausing does not use
     * up the timeout.
     */
    private void pause(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("memory"));
        boolean memory = body.bool("memory", true);
        Sandbox sandbox = live(ctx);
        if (sandbox.status() == SandboxStatus.PAUSED) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox is already paused");
        }
        sandboxes.pause(team(ctx), ctx.pathParam("id"), memory);
        ctx.status(204);
    }

    /** E2B's deprecated resume: as connect, for a paused sandbox only. */
    private void resume(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("timeout", "autoPause"));
        OptionalInt timeout = body.integer("timeout", 0, sandboxes.limits().maxTimeoutS());
        body.bool("autoPause", false);
        live(ctx);
        Sandbox sandbox = sandboxes.resume(team(ctx), ctx.pathParam("id"), false, false); // the token kept, as connect
        if (timeout.isPresent()) {
            sandbox = extend(ctx, sandbox, timeout.getAsInt());
        }
        ctx.status(201).json(E2bViews.created(sandbox, handOut(ctx, sandbox), networks.policy(sandbox), sandboxDomain));
    }

    /**
     * E2B's metrics of a sandbox, from the stored series (so a paused or killed sandbox still has
     * them): the measured steps between {@code start} and {@code end} (Unix seconds, defaults: the
     * sandbox's creation and now; an end in the future is cut at now).
     */
    private void metrics(Context ctx) {
        Sandbox sandbox = sandboxes.get(team(ctx), ctx.pathParam("id"));
        ctx.json(metrics.e2b(sandbox, ctx.queryParam("start"), ctx.queryParam("end")));
    }

    /**
     * E2B's {@code GET /sandboxes/metrics?sandbox_ids=a,b}: the newest stored point of each of
     * the team's sandboxes named (at most 100; ids of no sandbox of the team are left out, as
     * are sandboxes without a point in the last minute).
     */
    private void latestMetrics(Context ctx) {
        List<String> ids = new java.util.ArrayList<>();
        for (String value : ctx.queryParams("sandbox_ids")) {
            for (String id : value.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        }
        if (ids.isEmpty() || ids.size() > 100) {
            throw ApiException.invalid("'sandbox_ids' must name 1 to 100 sandboxes");
        }
        ctx.json(Map.of("sandboxes", metrics.e2bLatest(team(ctx), ids)));
    }

    /** Moves the end to {@code seconds} from now if that is later than the current end. */
    private Sandbox extend(Context ctx, Sandbox sandbox, int seconds) {
        Instant wanted = Instant.now().plusSeconds(seconds);
        if (sandbox.expiresAt() == null || !wanted.isAfter(sandbox.expiresAt())) {
            return sandbox;
        }
        return sandboxes.setTimeout(team(ctx), WireId.SANDBOX.encode(sandbox.id()), Math.max(1, seconds));
    }

    /** The team's sandbox named in the path; a stopped one is as gone as a missing one (E2B has no stopped state). */
    private Sandbox live(Context ctx) {
        Sandbox sandbox = sandboxes.get(team(ctx), ctx.pathParam("id"));
        if (sandbox.status().terminal()) {
            throw new ApiException(ErrorCode.SANDBOX_NOT_FOUND, "no such sandbox in your team");
        }
        return sandbox;
    }

    /** The sandbox's access token, recorded as handed to the caller's key or session (it goes when they do). */
    private String handOut(Context ctx, Sandbox sandbox) {
        return tokens.handOut(sandbox, Authenticator.caller(ctx));
    }

    private static UUID team(Context ctx) {
        return Authenticator.caller(ctx).requireTeam();
    }
}
