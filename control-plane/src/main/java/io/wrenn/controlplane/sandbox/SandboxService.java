package io.wrenn.controlplane.sandbox;

import io.wrenn.hostagent.protocol.Deadlines;
import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.ControlPlaneConfig.Limits;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.host.Scheduler;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.template.Template;
import io.wrenn.controlplane.template.TemplateStore;
import io.wrenn.hostagent.protocol.CreateSandboxRequest;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.PauseSandboxRequest;
import io.wrenn.hostagent.protocol.ResumeSandboxRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox lifecycle as seen by API callers. Each host call is bracketed: the row takes
 * its transitional state first (so a crash leaves a trace the reconciler understands) and is
 * settled with the outcome afterwards.
 */
public final class SandboxService {

    private static final Logger log = LoggerFactory.getLogger(SandboxService.class);
    static final Set<SandboxStatus> DEFAULT_LIST = EnumSet.of(
            SandboxStatus.STARTING, SandboxStatus.RUNNING, SandboxStatus.PAUSING, SandboxStatus.PAUSED, SandboxStatus.RESUMING,
            SandboxStatus.STOPPING, SandboxStatus.UNKNOWN, SandboxStatus.ERROR);

    private final SandboxStore sandboxes;
    private final TemplateStore templates;
    private final HostStore hosts;
    private final HostAgents agents;
    private final Scheduler scheduler;
    private final Limits limits;
    private final Deadlines deadlines;
    private final Admission admission;
    private final io.wrenn.controlplane.host.StartGate starts;

    public SandboxService(SandboxStore sandboxes, TemplateStore templates, HostStore hosts, HostAgents agents,
                          Scheduler scheduler, Limits limits, Deadlines deadlines, Admission admission,
                          io.wrenn.controlplane.host.StartGate starts) {
        this.admission = admission;
        this.starts = starts;
        this.sandboxes = sandboxes;
        this.templates = templates;
        this.hosts = hosts;
        this.agents = agents;
        this.scheduler = scheduler;
        this.limits = limits;
        this.deadlines = deadlines;
    }

    /** Told of every create and resume: its path ({@code cold}, {@code snapshot}, {@code resume}), outcome and time. */
    @FunctionalInterface
    public interface CreateObserver {
        void created(String path, boolean ok, java.time.Duration took);
    }

    private volatile CreateObserver createObserver = (path, ok, took) -> { };

    public void observeCreates(CreateObserver observer) {
        this.createObserver = observer;
    }

    public Limits limits() {
        return limits;
    }

    /** Creates a sandbox and returns it once the host reports it running. */
    public Sandbox create(UUID teamId, CreateSandboxBody request) {
        Template template = templates.findVisible(teamId, request.template())
                .orElseThrow(() -> new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "no such template for your team"));
        return createIn(teamId, template, request);
    }

    /** The template {@code name} as {@code teamId} sees it (its own first, then the platform's). */
    public java.util.Optional<Template> findTemplate(UUID teamId, String name) {
        return templates.findVisible(teamId, name);
    }

    /**
     * Creates a sandbox of {@code teamId} from {@code template}, already looked up (a template
     * build starts its builder from a cached layer, which no name lookup lists).
     */
    public Sandbox createIn(UUID teamId, Template template, CreateSandboxBody request) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            Sandbox created = createOn(teamId, template, request);
            ok = true;
            return created;
        } finally {
            createObserver.created(template.isSnapshot() ? "snapshot" : "cold", ok,
                    java.time.Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private Sandbox createOn(UUID teamId, Template template, CreateSandboxBody request) {
        // An image template boots cold, so any machine size works and the configured defaults
        // apply. A snapshot pins its machine (memory is restored as it was saved).
        int vcpus = request.vcpus().orElse(limits.defaultVcpus());
        int memoryMb = request.memoryMb().orElse(limits.defaultMemoryMb());
        int diskSizeMb = request.diskSizeMb();
        if (template.isSnapshot()) {
            if (request.vcpus().isPresent() && request.vcpus().getAsInt() != template.vcpus()
                    || request.memoryMb().isPresent() && request.memoryMb().getAsInt() != template.memoryMb()) {
                throw ApiException.invalid("snapshot '" + template.name() + "' has " + template.vcpus() + " vcpus and "
                        + template.memoryMb() + " MiB of memory; a sandbox made from it cannot change them");
            }
            vcpus = template.vcpus();
            memoryMb = template.memoryMb();
        }
        // A made template knows its least disk (a snapshot's disk, an image's compact
        // filesystem); a base image's host checks the size itself.
        int least = template.diskSizeMb() == null ? 0 : template.diskSizeMb();
        if (!request.diskSizeGiven()) {
            diskSizeMb = Math.max(diskSizeMb, least);
        } else if (diskSizeMb < least) {
            throw ApiException.invalid("template '" + template.name() + "' needs a disk of at least " + least
                    + " MiB; disk_size_mb cannot be smaller");
        }
        UUID id = UUID.randomUUID();
        Host host = admit(teamId, template, id, vcpus, memoryMb, diskSizeMb, request);
        String accessToken = AccessTokens.newToken();
        sandboxes.saveAccessToken(id, accessToken);
        sandboxes.saveNetwork(id, request.network());
        io.wrenn.controlplane.host.StartGate.Slot slot;
        try {
            slot = starts.enter(host.id());
        } catch (ApiException e) {
            sandboxes.transition(id, EnumSet.of(SandboxStatus.STARTING), SandboxStatus.ERROR, "not started: the host was busy");
            throw e;
        }
        io.wrenn.hostagent.protocol.Sandbox created;
        try (slot) {
            created = agents.stub(host, deadlines.create()).createSandbox(CreateSandboxRequest.newBuilder()
                    .setSandboxId(id.toString())
                    .setTeamId(teamId.toString())
                    .setTemplateTeamId(template.teamId().toString())
                    .setTemplateName(template.name())
                    .setVcpus(vcpus)
                    .setMemoryMb(memoryMb)
                    .setDiskSizeMb(diskSizeMb)
                    .setTimeoutS(request.timeoutS())
                    .setOnTimeout(request.onTimeout().toProto())
                    .putAllEnv(request.env())
                    .setEnvdAccessToken(accessToken)
                    .setNetwork(request.network().toProto())
                    .build());
        } catch (StatusException e) {
            // The host undoes a failed create itself; if it half-succeeded after all (a deadline
            // hit while it was still booting), the reconciler destroys the VM of an error row.
            String reason = "create failed: " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
            sandboxes.transition(id, EnumSet.of(SandboxStatus.STARTING), SandboxStatus.ERROR, reason);
            log.warn("sandbox {} could not be created on {}: {}", id, host.address(), e.getStatus());
            throw AgentErrors.toApi(e, ErrorCode.TEMPLATE_NOT_FOUND);
        } catch (RuntimeException e) {
            sandboxes.transition(id, EnumSet.of(SandboxStatus.STARTING), SandboxStatus.ERROR, "create failed");
            throw e;
        }
        boolean settled = sandboxes.markRunning(id, EnumSet.of(SandboxStatus.STARTING),
                created.getStartedAtMs() == 0 ? null : Instant.ofEpochMilli(created.getStartedAtMs()),
                created.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(created.getExpiresAtMs()),
                created.getBootMs() == 0 ? null : created.getBootMs());
        sandboxes.saveEnvdVersion(id, created.getEnvdVersion());
        if (!settled) {
            // Deleted (or given up on) while it booted: do not leave its VM behind.
            log.info("sandbox {} changed state while it was created; destroying its VM", id);
            destroyQuietly(host, id);
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox was stopped while it was being created");
        }
        return sandboxes.find(id).orElseThrow();
    }

    /**
     * Claims room for the new sandbox {@code id} on the first candidate host whose budget it
     * fits, inserting its {@code starting} row there; 429 when its team's quota is spent, 503
     * (with Retry-After) when no host has room. A refusal leaves no row behind.
     */
    private Host admit(UUID teamId, Template template, UUID id, int vcpus, int memoryMb, int diskSizeMb,
                       CreateSandboxBody request) {
        io.wrenn.controlplane.host.Capacity.Load ask = new io.wrenn.controlplane.host.Capacity.Load(vcpus, memoryMb, diskSizeMb);
        ApiException refused = null;
        for (Host candidate : scheduler.candidates(template)) {
            try {
                admission.admitNew(teamId, candidate.id(), ask, h -> sandboxes.insertStarting(h, id, teamId, candidate.id(),
                        template.id(), vcpus, memoryMb, diskSizeMb, request.timeoutS(), request.env().keySet(),
                        request.metadata(), request.onTimeout()));
                return candidate;
            } catch (ApiException e) {
                if (e.code() != ErrorCode.CAPACITY_EXCEEDED) {
                    throw e;
                }
                refused = e;
            }
        }
        throw refused;
    }

    public Sandbox get(UUID teamId, String wireId) {
        return WireId.SANDBOX.decode(wireId)
                .flatMap(id -> sandboxes.findForTeam(teamId, id))
                .orElseThrow(() -> new ApiException(ErrorCode.SANDBOX_NOT_FOUND, "no such sandbox in your team"));
    }

    /**
     * {@link #get}'s sandbox as {@code render} makes it (its JSON), for answering a read: from
     * memory while that is coherent with the database ({@link SandboxCache}). Decisions (a state
     * change, a host call) use {@link #get}.
     */
    public byte[] readRendered(UUID teamId, String wireId, String view, java.util.function.Function<Sandbox, byte[]> render) {
        return WireId.SANDBOX.decode(wireId)
                .flatMap(id -> sandboxes.readRendered(teamId, id, view, render))
                .orElseThrow(() -> new ApiException(ErrorCode.SANDBOX_NOT_FOUND, "no such sandbox in your team"));
    }

    /** {@link #page}'s rows as {@code render} makes them (the list's JSON), kept with them while that is coherent. */
    public byte[] pageRendered(UUID teamId, Set<SandboxStatus> statuses, Map<String, String> metadata,
                               io.wrenn.controlplane.http.Paging.PageRequest page, String view,
                               java.util.function.Function<List<Sandbox>, byte[]> render) {
        return sandboxes.readPageRendered(java.util.Objects.requireNonNull(teamId, "teamId"), statuses, metadata, page, view, render);
    }

    public List<Sandbox> list(UUID teamId, Set<SandboxStatus> statuses) {
        return sandboxes.listForTeam(teamId, statuses);
    }

    /**
     * One page of the team's sandboxes, newest first, whose metadata holds every pair of
     * {@code metadata}: an answer to a list, from memory while that is coherent ({@link SandboxCache}).
     */
    public List<Sandbox> page(UUID teamId, Set<SandboxStatus> statuses, Map<String, String> metadata,
                              io.wrenn.controlplane.http.Paging.PageRequest page) {
        return sandboxes.readPage(java.util.Objects.requireNonNull(teamId, "teamId"), statuses, metadata, page);
    }

    /**
     * Stops every sandbox of a team (its deletion). A sandbox whose host does not answer stays
     * {@code stopping} and is finished when the host answers again; returns how many were asked to stop.
     */
    public int stopAllOfTeam(UUID teamId) {
        List<Sandbox> active = sandboxes.listForTeam(teamId, EnumSet.complementOf(EnumSet.of(SandboxStatus.STOPPED)));
        for (Sandbox sandbox : active) {
            try {
                delete(teamId, WireId.SANDBOX.encode(sandbox.id()));
            } catch (RuntimeException e) {
                log.warn("stopping sandbox {} of deleted team {} failed: {}", sandbox.id(), teamId, e.toString());
            }
        }
        return active.size();
    }

    /**
     * Stops a sandbox. Idempotent: a stopped sandbox stays stopped and the call succeeds, so a
     * client may retry a delete whose answer it lost.
     */
    public void delete(UUID teamId, String wireId) {
        Sandbox sandbox = get(teamId, wireId);
        if (sandbox.status() == SandboxStatus.STOPPED) {
            return;
        }
        Set<SandboxStatus> from = EnumSet.complementOf(EnumSet.of(SandboxStatus.STOPPED));
        if (!sandboxes.transition(sandbox.id(), from, SandboxStatus.STOPPING, "deleted")) {
            return;
        }
        Host host = sandbox.hostId() == null ? null : hosts.find(sandbox.hostId()).orElse(null);
        if (host != null) {
            try {
                agents.stub(host, deadlines.destroy()).destroySandbox(
                        DestroySandboxRequest.newBuilder().setSandboxId(sandbox.id().toString()).build());
            } catch (StatusException e) {
                // The row stays 'stopping': the reconciler finishes the job when the host answers.
                log.warn("destroy of sandbox {} on {} failed: {}", sandbox.id(), host.address(), e.getStatus());
                throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
            }
        }
        sandboxes.transition(sandbox.id(), EnumSet.of(SandboxStatus.STOPPING), SandboxStatus.STOPPED, "deleted");
    }

    /**
     * Pauses a running sandbox: {@code running → pausing} before the host call, {@code paused}
     * (with the host's pause generation) after it; a failed pause leaves it running.
     */
    public Sandbox pause(UUID teamId, String wireId) {
        return pause(teamId, wireId, true);
    }

    /**
     * As {@link #pause(UUID, String)}; without {@code keepMemory} only the disk is kept (the guest
     * flushes its writes, the RAM is dropped): the resume boots it, with the sandbox's files,
     * environment, metadata and network policy, and none of its processes.
     */
    public Sandbox pause(UUID teamId, String wireId, boolean keepMemory) {
        Placement placement = requireRunning(teamId, wireId);
        UUID id = placement.sandbox().id();
        if (!admission.admitPause(placement.sandbox(),
                h -> sandboxes.transition(h, id, EnumSet.of(SandboxStatus.RUNNING), SandboxStatus.PAUSING, null))) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox changed state; try again");
        }
        io.wrenn.hostagent.protocol.Sandbox paused;
        try {
            paused = agents.stub(placement.host(), deadlines.pauseCall()).pauseSandbox(
                    PauseSandboxRequest.newBuilder().setSandboxId(id.toString()).setDropMemory(!keepMemory).build());
        } catch (StatusException e) {
            // The host takes a failed pause back and runs the VM on. When the outcome is unknown
            // the row stays 'pausing' and goes to the reconciler, which settles it from the host.
            if (AgentErrors.outcomeUnknown(e)) {
                sandboxes.markHostCallLost(id, SandboxStatus.PAUSING);
            } else {
                sandboxes.transition(id, EnumSet.of(SandboxStatus.PAUSING), SandboxStatus.RUNNING, null);
            }
            log.warn("pause of sandbox {} on {} failed: {}", id, placement.host().address(), e.getStatus());
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        }
        sandboxes.markPaused(id, EnumSet.of(SandboxStatus.PAUSING), paused.getPauseGeneration(), null,
                paused.getPausedWithoutMemory());
        return sandboxes.find(id).orElseThrow();
    }

    /**
     * Resumes a paused sandbox on its host with exactly the pause generation recorded here:
     * {@code paused → resuming → running}; a failed resume leaves it paused.
     */
    public Sandbox resume(UUID teamId, String wireId) {
        return resume(teamId, wireId, false);
    }

    /**
     * As {@link #resume(UUID, String)}; with {@code reboot} the sandbox's disk is booted and its
     * saved memory, if any, given up (a pause that kept only the disk is always resumed so).
     */
    public Sandbox resume(UUID teamId, String wireId, boolean reboot) {
        return resume(teamId, wireId, reboot, true);
    }

    /**
     * As {@link #resume(UUID, String, boolean)}. With {@code newToken} the guest comes back with a
     * new access token (the one it had is refused from then on; those who need it read the new
     * one from the resume's answer); else with the token recorded now. A resume caused by traffic
     * keeps the token: its caller proved it holds it and has no answer to read a new one from.
     */
    public Sandbox resume(UUID teamId, String wireId, boolean reboot, boolean newToken) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            Sandbox resumed = resumeTimed(teamId, wireId, reboot, newToken);
            ok = true;
            return resumed;
        } finally {
            createObserver.created("resume", ok, java.time.Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Told after each resume: the host, the sandbox and the token its guest was given. */
    @FunctionalInterface
    interface ResumeObserver {
        void resumed(Host host, UUID sandboxId, String token);
    }

    private volatile ResumeObserver resumeObserver = (host, id, token) -> { };

    void afterResume(ResumeObserver observer) {
        this.resumeObserver = observer;
    }

    private Sandbox resumeTimed(UUID teamId, String wireId, boolean reboot, boolean newToken) {
        Sandbox sandbox = get(teamId, wireId);
        if (sandbox.status() != SandboxStatus.PAUSED) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox is " + sandbox.status().wire() + ", not paused");
        }
        Host host = hosts.find(sandbox.hostId())
                .orElseThrow(() -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host is gone"));
        if (!admission.admitResume(sandbox,
                h -> sandboxes.transition(h, sandbox.id(), EnumSet.of(SandboxStatus.PAUSED), SandboxStatus.RESUMING, null))) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox changed state; try again");
        }
        io.wrenn.controlplane.host.StartGate.Slot slot;
        try {
            slot = starts.enter(host.id());
        } catch (ApiException e) {
            sandboxes.transition(sandbox.id(), EnumSet.of(SandboxStatus.RESUMING), SandboxStatus.PAUSED, null);
            throw e;
        }
        // The guest always comes back with the token recorded here: a token replaced while the
        // sandbox was paused (a revocation) reaches it now. A new one is recorded before the call
        // and kept even when the resume fails (the host re-initialises the guest from the token it
        // holds, whatever the row says), so the old one is never handed out or accepted again.
        String previousToken = sandboxes.accessToken(sandbox.id()).orElse(null);
        String token = newToken || previousToken == null ? AccessTokens.newToken() : previousToken;
        if (!token.equals(previousToken)) {
            sandboxes.replaceAccessToken(sandbox.id(), token);
        }
        io.wrenn.hostagent.protocol.Sandbox resumed;
        try (slot) {
            resumed = agents.stub(host, deadlines.pauseCall()).resumeSandbox(ResumeSandboxRequest.newBuilder()
                    .setSandboxId(sandbox.id().toString())
                    .setGeneration(sandbox.pauseGeneration())
                    .setTimeoutS(sandbox.timeoutS())
                    .setReboot(reboot)
                    .setEnvdAccessToken(token)
                    .build());
        } catch (StatusException e) {
            if (AgentErrors.outcomeUnknown(e)) {
                sandboxes.markHostCallLost(sandbox.id(), SandboxStatus.RESUMING);
            } else {
                String reason = e.getStatus().getCode() == io.grpc.Status.Code.DATA_LOSS ? "resume_failed: saved state is corrupt" : null;
                sandboxes.transition(sandbox.id(), EnumSet.of(SandboxStatus.RESUMING), SandboxStatus.PAUSED, reason);
            }
            log.warn("resume of sandbox {} on {} failed: {}", sandbox.id(), host.address(), e.getStatus());
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        }
        sandboxes.saveEnvdVersion(sandbox.id(), resumed.getEnvdVersion());
        sandboxes.markResumed(sandbox.id(),
                resumed.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(resumed.getExpiresAtMs()));
        resumeObserver.resumed(host, sandbox.id(), token);
        return sandboxes.find(sandbox.id()).orElseThrow();
    }

    /** The team's sandbox if it is running, and the host it runs on; else 404 or 409. */
    public Placement requireRunning(UUID teamId, String wireId) {
        Sandbox sandbox = get(teamId, wireId);
        if (sandbox.status() != SandboxStatus.RUNNING) {
            throw new ApiException(ErrorCode.INVALID_STATE, "sandbox '" + wireId + "' is " + sandbox.status().wire() + ", not running");
        }
        Host host = hosts.find(sandbox.hostId())
                .orElseThrow(() -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host is gone"));
        return new Placement(sandbox, host);
    }

    private void destroyQuietly(Host host, UUID id) {
        try {
            agents.stub(host, deadlines.destroy()).destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id.toString()).build());
        } catch (StatusException | RuntimeException e) {
            log.warn("could not destroy sandbox {} on {}; the reconciler will retry", id, host.address(), e);
        }
    }

    /** A running sandbox and its host. */
    public record Placement(Sandbox sandbox, Host host) {
    }

    /**
     * Moves a running sandbox's expiry to {@code timeoutS} seconds from now (0 = never): on its
     * host first (which reaps it), then in the row. 404 or 409 as {@link #requireRunning}.
     */
    public Sandbox setTimeout(UUID teamId, String wireId, int timeoutS) {
        if (timeoutS < 0 || timeoutS > limits.maxTimeoutS()) {
            throw ApiException.invalid("'timeout' must be from 0 to " + limits.maxTimeoutS() + " seconds");
        }
        Placement placement = requireRunning(teamId, wireId);
        io.wrenn.hostagent.protocol.Sandbox updated;
        try {
            updated = agents.stub(placement.host(), Duration.ofSeconds(30)).setSandboxTimeout(
                    io.wrenn.hostagent.protocol.SetSandboxTimeoutRequest.newBuilder()
                            .setSandboxId(placement.sandbox().id().toString())
                            .setTimeoutS(timeoutS)
                            .build());
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        }
        Instant expiresAt = updated.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(updated.getExpiresAtMs());
        if (!sandboxes.setExpiry(placement.sandbox().id(), expiresAt, timeoutS)) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox stopped meanwhile");
        }
        return sandboxes.find(placement.sandbox().id()).orElseThrow();
    }

    /** E2B's lifecycle.autoResume, recorded after create. */
    public void autoResume(Sandbox sandbox, boolean on) {
        sandboxes.saveAutoResume(sandbox.id(), on);
    }

    public boolean autoResume(Sandbox sandbox) {
        return sandboxes.autoResume(sandbox.id());
    }

    /** The sandbox as it is now (after a state change elsewhere). */
    public Sandbox reload(Sandbox sandbox) {
        return sandboxes.find(sandbox.id()).orElseThrow(() -> new ApiException(ErrorCode.SANDBOX_NOT_FOUND, "no such sandbox"));
    }

    /** The sandbox's envd access token: only for its own team's callers. */
    public String accessToken(Sandbox sandbox) {
        return sandboxes.accessToken(sandbox.id()).orElse(null);
    }

    /**
     * The running or paused sandbox whose envd access token signed {@code signature} (a signed
     * {@code /files} URL names no sandbox: its signature is the only trace of it), of any team.
     */
    public java.util.Optional<Sandbox> findBySignature(String signature, String path, String operation, String username,
            java.util.Optional<String> expiration) {
        byte[] wanted = signature.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (var entry : sandboxes.liveAccessTokens().entrySet()) {
            String expected = FileUrlSignature.of(path, operation, username, entry.getValue(), expiration);
            if (java.security.MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8), wanted)) {
                return sandboxes.find(entry.getKey());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * A sandbox by id whatever its team, for the traffic route, which authenticates by the
     * sandbox's own access token. Callers must check the token (or the team) before acting.
     */
    public java.util.Optional<Sandbox> findAnyTeam(String wireId) {
        return WireId.SANDBOX.decode(wireId).flatMap(sandboxes::find);
    }

    /** The host a sandbox runs on, if it is running and its host is known. */
    public java.util.Optional<Host> hostOf(Sandbox sandbox) {
        if (sandbox.status() != SandboxStatus.RUNNING || sandbox.hostId() == null) {
            return java.util.Optional.empty();
        }
        return hosts.find(sandbox.hostId());
    }
}
