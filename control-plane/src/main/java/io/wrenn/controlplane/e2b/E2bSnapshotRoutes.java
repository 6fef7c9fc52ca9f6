package io.wrenn.controlplane.e2b;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.fork.ForkService;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.network.SandboxNetworks;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.template.SnapshotService;
import io.wrenn.controlplane.template.Template;
import io.wrenn.controlplane.template.TemplateStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * E2B's sandbox snapshots and forks over Wrenn's snapshot templates: a snapshot is a team's
 * snapshot template (memory and disk, taken while the sandbox keeps running), its
 * {@code snapshotID} the template's name, so {@code Sandbox.create(snapshotID)} starts from it as
 * from any template; deleting one is E2B's template delete. A fork is {@link ForkService}'s.
 */
public final class E2bSnapshotRoutes {

    /** E2B's tag for a name given without one: accepted on names, never stored. */
    static final String DEFAULT_TAG = ":default";
    private static final int MAX_LIMIT = 100;
    /** E2B's default time to live of a fork, in seconds. */
    private static final int FORK_DEFAULT_TIMEOUT_S = 15;

    private final SandboxService sandboxes;
    private final SnapshotService snapshots;
    private final TemplateStore templates;
    private final ForkService forks;
    private final SandboxNetworks networks;
    private final String sandboxDomain;
    private final io.wrenn.controlplane.sandbox.AccessTokens tokens;

    public E2bSnapshotRoutes(SandboxService sandboxes, SnapshotService snapshots, TemplateStore templates,
            ForkService forks, SandboxNetworks networks, String sandboxDomain, io.wrenn.controlplane.sandbox.AccessTokens tokens) {
        this.tokens = tokens;
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.templates = templates;
        this.forks = forks;
        this.networks = networks;
        this.sandboxDomain = sandboxDomain;
    }

    public void register(RouteTable routes) {
        routes.post(E2bRoutes.PREFIX + "/sandboxes/{id}/snapshots", Access.TEAM, this::create);
        routes.get(E2bRoutes.PREFIX + "/snapshots", Access.TEAM, this::list);
        routes.delete(E2bRoutes.PREFIX + "/templates/{name}", Access.TEAM, this::delete);
        routes.post(E2bRoutes.PREFIX + "/sandboxes/{id}/fork", Access.TEAM, this::fork);
    }

    /** {@code {name?}} → 201 {@code {snapshotID, names}}; a running or a paused sandbox. */
    private void create(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("name"));
        String name = body.string("name").map(E2bSnapshotRoutes::untagged)
                .orElseGet(() -> "snapshot-" + HexFormat.of().formatHex(randomBytes()));
        if (!TemplateStore.SNAPSHOT_NAME.matcher(name).matches()) {
            throw ApiException.invalid("'name' must be 1 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
        UUID team = team(ctx);
        Sandbox sandbox = sandboxes.get(team, ctx.pathParam("id"));
        if (sandbox.status() != SandboxStatus.RUNNING && sandbox.status() != SandboxStatus.PAUSED) {
            throw new ApiException(sandbox.status().terminal() ? ErrorCode.SANDBOX_NOT_FOUND : ErrorCode.INVALID_STATE,
                    "the sandbox is " + sandbox.status().wire() + "; only a running or paused sandbox can be snapshotted");
        }
        Template template = snapshots.make(team, sandbox, name, Template.SNAPSHOT, SnapshotService.Defaults.NONE, null);
        AuditTrail.resource(ctx, WireId.TEMPLATE, template.id());
        ctx.status(201).json(view(template));
    }

    /** The team's snapshots, newest first; {@code sandboxID} and {@code name} filter, E2B's cursor pages. */
    private void list(Context ctx) {
        UUID team = team(ctx);
        UUID source = null;
        String sandboxId = ctx.queryParam("sandboxID");
        if (sandboxId != null) {
            source = WireId.SANDBOX.decode(sandboxId).orElse(null);
            if (source == null) {
                ctx.json(List.of());
                return;
            }
        }
        String name = ctx.queryParam("name") == null ? null : untagged(ctx.queryParam("name"));
        int limit = limit(ctx.queryParam("limit"));
        int offset = offset(ctx.queryParam("nextToken"));
        List<Template> all = templates.listOwnSnapshots(team, source).stream()
                .filter(t -> name == null || t.name().equals(name))
                .toList();
        List<Template> page = all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
        if (offset + limit < all.size()) {
            ctx.header("X-Next-Token", token(offset + limit));
        }
        ctx.json(page.stream().map(E2bSnapshotRoutes::view).toList());
    }

    /** E2B's template delete: the team's own snapshot (or other template made from a sandbox); 404 if none. */
    private void delete(Context ctx) {
        String name = untagged(ctx.pathParam("name"));
        Template template = templates.findOwn(team(ctx), name)
                .filter(Template::isMade)
                .orElseThrow(() -> new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "no such snapshot or template in your team"));
        snapshots.removeAs(Authenticator.caller(ctx), template);
        ctx.status(204);
    }

    /** {@code {count = 1, timeout = 15}} → 201, one {@code {sandbox}} or {@code {error}} per fork. */
    private void fork(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("count", "timeout"));
        int count = body.integer("count", 1, ForkService.MAX_COUNT).orElse(1);
        int timeout = body.integer("timeout", 0, sandboxes.limits().maxTimeoutS()).orElse(FORK_DEFAULT_TIMEOUT_S);
        UUID team = team(ctx);
        List<ForkService.Outcome> outcomes = forks.fork(team, ctx.pathParam("id"), count, Math.max(1, timeout));
        ctx.status(201).json(outcomes.stream().map(outcome -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            if (outcome.sandbox() != null) {
                Sandbox fork = outcome.sandbox();
                entry.put("sandbox", E2bViews.created(fork, tokens.handOut(fork, io.wrenn.controlplane.auth.Authenticator.caller(ctx)), networks.policy(fork), sandboxDomain));
            } else {
                entry.put("error", Map.of("code", outcome.error().code().httpStatus(), "message", outcome.error().getMessage()));
            }
            return entry;
        }).toList());
    }

    static Map<String, Object> view(Template template) {
        return Map.of("snapshotID", template.name(), "names", List.of(template.name()));
    }

    /** {@code name:default} is {@code name}: Wrenn's templates have no tags. */
    static String untagged(String name) {
        return name.endsWith(DEFAULT_TAG) ? name.substring(0, name.length() - DEFAULT_TAG.length()) : name;
    }

    private static int limit(String value) {
        if (value == null) {
            return MAX_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiException.invalid("'limit' must be 1 to " + MAX_LIMIT);
    }

    private static String token(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int offset(String token) {
        if (token == null || token.isEmpty()) {
            return 0;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.matches("o[0-9]{1,6}")) {
                return Integer.parseInt(decoded.substring(1));
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw ApiException.invalid("'nextToken' is not a token this server gave");
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static UUID team(Context ctx) {
        return Authenticator.caller(ctx).requireTeam();
    }
}
