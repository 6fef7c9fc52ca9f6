package io.wrenn.controlplane.template;

import io.wrenn.hostagent.protocol.Deadlines;
import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.hostagent.protocol.CreateImageRequest;
import io.wrenn.hostagent.protocol.CreateSnapshotRequest;
import io.wrenn.hostagent.protocol.DeleteTemplateRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.TemplateImage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Templates made from sandboxes: snapshots (memory and disk), made by a sandbox's host from a
 * running sandbox (it keeps running) or a paused one (it stays paused), and images (the disk
 * alone, from a running sandbox: they cold-boot at any size), listed, read and deleted. A team sees its own and the
 * platform's; platform snapshots are made and deleted only by admins; one a sandbox still uses
 * cannot be deleted. The row is written {@code creating} before the host call (reserving the
 * name, invisible otherwise) and made {@code ready} after it; a failed call deletes it, a call
 * whose outcome is unknown (unavailable, deadline) hands it to the reconciler
 * ({@code host_call_lost}), and a control plane that dies mid-call leaves it to the reconciler
 * after {@link Deadlines#snapshot()}. The reconciler adopts it if the host lists the template,
 * else deletes it.
 */
public final class SnapshotService {

    private static final Logger log = LoggerFactory.getLogger(SnapshotService.class);
    /** The host call's deadline; a {@code creating} row older than this (plus slack) has no live caller. */
    private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);
    private static final Duration INFO_DEADLINE = Duration.ofSeconds(10);

    private final TemplateStore templates;
    private final SandboxStore sandboxes;
    private final HostStore hosts;
    private final HostAgents agents;

    private final Deadlines deadlines;
    private final UUID self;

    /** @param self this control plane, named by the rows its snapshot calls reserve (see {@link PendingSnapshot#makerGone}) */
    public SnapshotService(TemplateStore templates, SandboxStore sandboxes, HostStore hosts, HostAgents agents,
            Deadlines deadlines, UUID self) {
        this.self = self;
        this.deadlines = deadlines;
        this.templates = templates;
        this.sandboxes = sandboxes;
        this.hosts = hosts;
        this.agents = agents;
    }

    Template create(Caller caller, SnapshotBody body) {
        if (body.platform() && !caller.admin()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only admins make platform snapshots");
        }
        UUID owner = body.platform() ? Template.PLATFORM_TEAM : caller.requireTeam();
        Sandbox sandbox = WireId.SANDBOX.decode(body.sandboxId())
                .flatMap(id -> sandboxes.findForTeam(caller.requireTeam(), id))
                .orElseThrow(() -> new ApiException(ErrorCode.SANDBOX_NOT_FOUND, "no such sandbox in your team"));
        if (sandbox.status() != SandboxStatus.RUNNING && sandbox.status() != SandboxStatus.PAUSED) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox is " + sandbox.status().wire()
                    + "; only a running or paused sandbox can be snapshotted");
        }
        if (body.type().equals(Template.IMAGE) && sandbox.status() != SandboxStatus.RUNNING) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox is " + sandbox.status().wire()
                    + "; an image is made of a running sandbox's disk (resume it first)");
        }
        return make(owner, sandbox, body.name(), body.type(),
                new Defaults(body.defaultUser(), body.defaultWorkdir(), body.defaultEnv()), null);
    }

    /**
     * Makes template {@code owner}/{@code name} of type {@code type} from {@code sandbox}: the one
     * path of {@code POST /v1/snapshots} and of template builds. A build gives the guest the
     * template's {@code defaults} before its snapshot is taken, and may mark the template a hidden
     * layer of its cache ({@code cacheKey}).
     */
    public Template make(UUID owner, Sandbox sandbox, String name, String type, Defaults defaults, String cacheKey) {
        settleLostCreate(owner, name);
        if (templates.nameTaken(owner, name) || templates.nameTaken(Template.PLATFORM_TEAM, name)) {
            throw new ApiException(ErrorCode.CONFLICT, "a template of that name exists");
        }
        Host host = hosts.find(sandbox.hostId())
                .orElseThrow(() -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host is gone"));
        UUID id = UUID.randomUUID();
        if (!templates.insertCreating(id, owner, name, type, sandbox.vcpus(), sandbox.memoryMb(), host.id(),
                sandbox.id(), cacheKey, self)) {
            throw new ApiException(ErrorCode.CONFLICT, "a template of that name exists");
        }
        TemplateImage image;
        try {
            image = makeOnHost(host, sandbox, owner, name, type, defaults);
        } catch (StatusException e) {
            log.warn("snapshot of sandbox {} on {} failed: {}", sandbox.id(), host.address(), e.getStatus());
            if (AgentErrors.outcomeUnknown(e)) {
                // The host may have made it or still be making it: the reconciler decides.
                templates.markHostCallLost(id);
            } else {
                templates.deleteCreating(id); // the host undid its own failed snapshot
            }
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        } catch (RuntimeException e) {
            templates.markHostCallLost(id);
            throw e;
        }
        if (!templates.markReady(id, image, Instant.now())) {
            // The reconciler gave the row up (it can only after the call's deadline): the files go too.
            deleteOnHost(host, owner, name);
            throw new ApiException(ErrorCode.HOST_TIMEOUT, "the snapshot took longer than its deadline and was dropped");
        }
        return templates.findReady(id).orElseThrow();
    }

    /** A build's (or an image's) user, workdir and environment: empty strings leave the sandbox's own. */
    public record Defaults(String user, String workdir, java.util.Map<String, String> env) {
        public static final Defaults NONE = new Defaults("", "", java.util.Map.of());
    }

    private TemplateImage makeOnHost(Host host, Sandbox sandbox, UUID owner, String name, String type, Defaults defaults)
            throws StatusException {
        if (type.equals(Template.IMAGE)) {
            return agents.stub(host, deadlines.snapshot()).createImage(CreateImageRequest.newBuilder()
                    .setSandboxId(sandbox.id().toString())
                    .setTeamId(owner.toString())
                    .setName(name)
                    .setDefaultUser(defaults.user())
                    .setDefaultWorkdir(defaults.workdir())
                    .putAllDefaultEnv(defaults.env())
                    .build());
        }
        return agents.stub(host, deadlines.snapshot()).createSnapshot(CreateSnapshotRequest.newBuilder()
                .setSandboxId(sandbox.id().toString())
                .setTeamId(owner.toString())
                .setName(name)
                .setDefaultUser(defaults.user())
                .setDefaultWorkdir(defaults.workdir())
                .putAllDefaultEnv(defaults.env())
                .build());
    }

    List<Template> list(Caller caller) {
        return templates.listMade(caller.requireTeam());
    }

    /** Rows for one page of the snapshots the caller's team may use ({@link io.wrenn.controlplane.http.Paging#page} cuts it). */
    List<Template> page(Caller caller, io.wrenn.controlplane.http.Paging.PageRequest page) {
        return templates.pageMade(caller.requireTeam(), page);
    }

    Template get(Caller caller, String name) {
        return templates.findVisible(caller.requireTeam(), name)
                .filter(Template::isMade)
                .orElseThrow(() -> new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "no such snapshot for your team"));
    }

    void delete(Caller caller, String name) {
        Template template = get(caller, name);
        if (template.isPlatform() && !caller.admin()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only admins delete platform snapshots");
        }
        removeAs(caller, template);
    }

    /**
     * {@link #remove}s a snapshot of the caller's team for the caller, on every route that
     * deletes one (Wrenn's and E2B's). A team's snapshots are shared by all its members: only its
     * owners and admins (and the API keys they made: only they make keys) delete one.
     */
    public void removeAs(Caller caller, Template template) {
        if (caller.apiKeyId() == null && !caller.admin()) {
            caller.requireRole(io.wrenn.controlplane.auth.Role.ADMIN);
        }
        remove(template);
    }

    /**
     * An admin's delete of any template made from a sandbox, whichever team owns it (by id, as
     * {@code GET /v1/admin/templates} lists them). Base images are part of every host's image
     * build and are not deleted through the API.
     */
    void deleteAsAdmin(Caller caller, String wireId) {
        if (!caller.admin()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "admins only");
        }
        Template template = WireId.TEMPLATE.decode(wireId).flatMap(templates::findReady)
                .orElseThrow(() -> new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "no such template"));
        if (!template.isMade()) {
            throw ApiException.invalid("'" + template.name() + "' is a base image: it comes with every host's images"
                    + " (images/build.sh) and is not deleted through the API");
        }
        remove(template);
    }

    /**
     * Removes a made template from its host (which must answer) and from every other host that
     * holds a copy (best effort: the reconciler removes leftovers no row names), then hides its
     * row. Refused while a sandbox made from it is not stopped.
     */
    public void remove(Template template) {
        if (sandboxes.anyActiveFromTemplate(template.id())) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the template is used by a sandbox that is not stopped");
        }
        Host own = template.hostId() == null ? null : hosts.find(template.hostId()).orElse(null);
        if (own != null) {
            try {
                agents.stub(own, DELETE_DEADLINE).deleteTemplate(deleteRequest(template));
            } catch (StatusException e) {
                throw AgentErrors.toApi(e, ErrorCode.TEMPLATE_NOT_FOUND);
            }
        }
        for (Host host : hosts.all()) {
            if (own == null || !host.id().equals(own.id())) {
                deleteQuietly(host, template);
            }
        }
        if (!templates.deleteIfUnused(template.id())) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the template is used by a sandbox that is not stopped");
        }
    }

    private static DeleteTemplateRequest deleteRequest(Template template) {
        return DeleteTemplateRequest.newBuilder().setTeamId(template.teamId().toString()).setName(template.name()).build();
    }

    /** A host without the template answers OK; one that fails is logged, not fatal. */
    private void deleteQuietly(Host host, Template template) {
        try {
            agents.stub(host, DELETE_DEADLINE).deleteTemplate(deleteRequest(template));
        } catch (StatusException | RuntimeException e) {
            log.warn("could not remove template {}/{} from {}: {}", template.teamId(), template.name(), host.address(),
                    e.toString());
        }
    }

    /**
     * A deleted team's snapshots: removed from every host (a host without the files is fine)
     * and hidden. Runs after the team's sandboxes were stopped; one still {@code stopping}
     * because its host did not answer keeps its template until an admin deletes it.
     */
    public void deleteAllOfTeam(UUID teamId) {
        for (Template template : templates.listMade(teamId)) {
            if (!template.teamId().equals(teamId)) {
                continue; // platform snapshots are listed with the team's and belong to no team
            }
            for (Host host : hosts.all()) {
                deleteQuietly(host, template);
            }
            if (!templates.deleteIfUnused(template.id())) {
                log.warn("snapshot {}/{} of a deleted team is still used by a sandbox being stopped", teamId, template.name());
            }
        }
    }

    /**
     * A create whose host call was lost holds its name until the reconciler settles it; a new
     * create with that name settles it first, from its host's list (the reconciler's rule), so
     * a client retrying at once is not refused. A host that does not answer leaves it held.
     */
    private void settleLostCreate(UUID owner, String name) {
        templates.findLostCreating(owner, name).ifPresent(row -> {
            Host host = row.hostId() == null ? null : hosts.find(row.hostId()).orElse(null);
            if (host == null) {
                return;
            }
            TemplateImage image;
            try {
                image = agents.stub(host, INFO_DEADLINE).getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList()
                        .stream()
                        .filter(t -> "snapshot".equals(t.getType()) && t.getTeamId().equals(owner.toString()) && t.getName().equals(name))
                        .findFirst().orElse(null);
            } catch (StatusException | RuntimeException e) {
                log.debug("host {} did not list its templates: {}", host.address(), e.toString());
                return;
            }
            templates.settleCreating(row, image, Instant.now());
        });
    }

    private void deleteOnHost(Host host, UUID owner, String name) {
        try {
            agents.stub(host, DELETE_DEADLINE).deleteTemplate(DeleteTemplateRequest.newBuilder()
                    .setTeamId(owner.toString()).setName(name).build());
        } catch (StatusException | RuntimeException e) {
            log.warn("could not remove snapshot {}/{} from {}: {}", owner, name, host.address(), e.toString());
        }
    }
}
