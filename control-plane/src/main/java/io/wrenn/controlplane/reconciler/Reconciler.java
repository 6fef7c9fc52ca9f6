package io.wrenn.controlplane.reconciler;

import io.wrenn.hostagent.protocol.Deadlines;
import io.grpc.StatusException;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.template.TemplateStore;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import io.wrenn.hostagent.protocol.SandboxState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges the database and the hosts. One {@link #tick()} asks every host for its sandboxes
 * and its templates and compares; the rules, per host:
 * <ol>
 *   <li>The host does not answer: its {@code running} sandboxes become {@code unknown}.
 *       Nothing is destroyed or forgotten because of an outage.</li>
 *   <li>The database has a {@code running} or {@code unknown} sandbox the host does not
 *       run: it becomes {@code stopped} (reason {@code timeout} if it had expired, else
 *       {@code vm_exited}). An {@code unknown} one the host runs is {@code running} again.</li>
 *   <li>A {@code starting} row older than the create deadline: {@code running} if the host
 *       runs it (its creator died), else {@code error}. Younger ones belong to their creator,
 *       unless that control plane is gone ({@link io.wrenn.controlplane.instance.ControlPlaneInstances}):
 *       then the same at once, as soon as the host no longer lists it as starting.</li>
 *   <li>A {@code stopping} row (a delete whose host call failed) is finished: destroyed if the
 *       host still has it, then {@code stopped}.</li>
 *   <li>A VM the database does not know, or knows as finished or on another host, is
 *       destroyed; so is one the host lists as stopped once its row is settled (the host
 *       then removes what is left of it).</li>
 *   <li>Pause: a {@code running} or {@code unknown} row the host lists as paused (its timeout
 *       paused it) becomes {@code paused}. A {@code paused} row is never stopped because a host
 *       does not list it: its state is on that host's disk; one the host runs is {@code running}
 *       (a resume whose answer was lost after the row went back to paused).</li>
 *   <li>Lost pause and resume calls: a {@code pausing} or {@code resuming} row takes the state
 *       the host reports once that state is settled ({@code RUNNING → running}, {@code PAUSED →
 *       paused} with the host's generation); a host still reporting pausing or resuming, not
 *       listing it, or not answering is looked at again next pass. This happens on the next
 *       pass when the caller gave up on its host call without knowing the outcome (status
 *       flag {@code host_call_lost}: UNAVAILABLE or DEADLINE_EXCEEDED); a row without that
 *       marker belongs to its caller for {@link Deadlines#pauseGrace()} (longer than the call's deadline),
 *       after which its control plane must have died mid-call; at once if the control plane that
 *       moved it is gone (the row names it, as a starting row names its creator).</li>
 *   <li>Snapshots ({@link SnapshotConvergence}): a {@code creating} template row marked
 *       {@code host_call_lost}, or older than the snapshot call's deadline plus slack, or made by a
 *       control plane that is gone, is made {@code ready} if its host lists the template, else
 *       deleted.</li>
 *   <li>A team snapshot the host lists that no live template row ({@code creating} or
 *       {@code ready}) names, created longer ago than that deadline, is deleted on the host.
 *       Platform snapshots and images are never deleted this way.</li>
 *   <li>Not per host: an audit entry left {@code pending} by a control plane that is gone (it
 *       stopped during the call) is settled as {@code lost}, its outcome unknown
 *       ({@link io.wrenn.controlplane.audit.AuditLog}).</li>
 * </ol>
 * Database rows are read before the host is asked, and every change is compare-and-set on
 * the status read, so a request that changes a row meanwhile always wins.
 *
 * <p>Why the lost-call rules converge. A host call not yet started on the host when its caller
 * gave up: the host reports the old state and the row returns to it; if the call then reaches
 * the host after all, the host moves on and rule 6 (a paused VM under a running row) or rule 6's
 * last case (a running VM under a paused row) follows it. A host finishing later behaves the
 * same. The marker is written right after the call fails and only while the row still has the
 * status its caller set, and nothing but this reconciler moves a row out of {@code pausing} or
 * {@code resuming} (a delete makes it {@code stopping}), so the marker can never land on a later
 * call's row before its grace. A snapshot row the reconciler dropped whose host finishes later
 * leaves files no row names: rule 9 removes them once they are older than the deadline.
 */
public final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration LIST_DEADLINE = Duration.ofSeconds(10);
    /** Reaping is not instantaneous: an expiry this close counts as the reason. */
    private static final Duration EXPIRY_SLACK = Duration.ofSeconds(30);

    private final HostStore hosts;
    private final SandboxStore sandboxes;
    private final HostAgents agents;
    private final Deadlines deadlines;
    private final Clock clock;
    private final SnapshotConvergence snapshots;
    /** How long a sandbox may stay paused; zero keeps paused sandboxes until they are deleted. */
    private final Duration pausedRetention;
    private final io.wrenn.controlplane.instance.ControlPlaneInstances instances;
    private final io.wrenn.controlplane.audit.AuditLog auditLog;

    public Reconciler(HostStore hosts, SandboxStore sandboxes, TemplateStore templates, HostAgents agents,
                      Deadlines deadlines, Clock clock) {
        this(hosts, sandboxes, templates, agents, deadlines, clock, Duration.ZERO, null, null);
    }

    /**
     * @param instances the control planes' heartbeats, to settle the creates of one that died at
     *                  once; null: only by the create deadline
     * @param auditLog  where the pending audit entries of a control plane that died are settled
     *                  as lost (needs {@code instances}); null: they are not
     */
    public Reconciler(HostStore hosts, SandboxStore sandboxes, TemplateStore templates, HostAgents agents,
                      Deadlines deadlines, Clock clock, Duration pausedRetention,
                      io.wrenn.controlplane.instance.ControlPlaneInstances instances,
                      io.wrenn.controlplane.audit.AuditLog auditLog) {
        this.pausedRetention = pausedRetention;
        this.instances = instances;
        this.auditLog = auditLog;
        this.hosts = hosts;
        this.sandboxes = sandboxes;
        this.agents = agents;
        this.snapshots = new SnapshotConvergence(templates, agents, deadlines);
        this.deadlines = deadlines;
        this.clock = clock;
    }

    /**
     * One pass over every host, the hosts in parallel so that one that does not answer (and
     * costs a whole deadline) does not delay the others. A failing host does not stop the rest.
     */
    public void tick() {
        settleLostAuditEntries();
        try (ExecutorService perHost = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Host host : hosts.all()) {
                perHost.submit(() -> {
                    try {
                        reconcile(host);
                    } catch (RuntimeException e) {
                        log.error("reconciling host {} failed", host.address(), e);
                    }
                });
            }
        }
    }

    /** The pending audit entries of control planes that are gone are settled as lost. */
    private void settleLostAuditEntries() {
        if (auditLog == null || instances == null) {
            return;
        }
        try {
            int lost = auditLog.settleLostOfGoneInstances(instances.self());
            if (lost > 0) {
                log.warn("{} audit entries of calls whose control plane stopped during them are settled as lost", lost);
            }
        } catch (RuntimeException e) {
            log.error("settling the audit entries of stopped control planes failed", e);
        }
    }

    private void reconcile(Host host) {
        List<Sandbox> known = sandboxes.listActiveOnHost(host.id());
        Map<UUID, io.wrenn.hostagent.protocol.Sandbox> onHost = new HashMap<>();
        try {
            for (io.wrenn.hostagent.protocol.Sandbox vm : agents.stub(host, LIST_DEADLINE)
                    .listSandboxes(ListSandboxesRequest.getDefaultInstance()).getSandboxesList()) {
                parseUuid(vm.getSandboxId()).ifPresent(id -> onHost.put(id, vm));
            }
        } catch (StatusException | RuntimeException e) {
            hostUnreachable(host, e);
            return;
        }
        if (!host.online()) {
            log.info("host {} answers again", host.address());
        }
        hosts.markOnline(host.id());

        Instant now = clock.instant();
        try {
            reconcileSandboxes(host, known, onHost, now);
            expirePaused(host, known, now);
        } finally {
            snapshots.reconcile(host, now, instances == null ? null : instances.self());
        }
    }

    private void reconcileSandboxes(Host host, List<Sandbox> known, Map<UUID, io.wrenn.hostagent.protocol.Sandbox> onHost,
                                    Instant now) {
        java.util.Set<UUID> orphaned = instances == null ? java.util.Set.of()
                : sandboxes.movingOfGoneInstances(host.id(), instances.self());
        for (Sandbox row : known) {
            io.wrenn.hostagent.protocol.Sandbox vm = onHost.remove(row.id());
            boolean live = vm != null && vm.getState() != SandboxState.SANDBOX_STATE_STOPPED;
            boolean hostPaused = vm != null && vm.getState() == SandboxState.SANDBOX_STATE_PAUSED;
            switch (row.status()) {
                case RUNNING, UNKNOWN -> {
                    if (hostPaused) {
                        String reason = expired(row, now) ? "timeout" : null;
                        if (sandboxes.markPaused(row.id(), EnumSet.of(row.status()), vm.getPauseGeneration(), reason,
                                vm.getPausedWithoutMemory())) {
                            log.info("sandbox {} is paused on host {}", row.id(), host.address());
                        }
                    } else if (live && row.status() == SandboxStatus.UNKNOWN) {
                        sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.UNKNOWN), SandboxStatus.RUNNING, null);
                    } else if (!live) {
                        String reason = expired(row, now) ? "timeout" : "vm_exited";
                        if (sandboxes.transition(row.id(), EnumSet.of(row.status()), SandboxStatus.STOPPED, reason)) {
                            log.info("sandbox {} is gone from host {}: stopped ({})", row.id(), host.address(), reason);
                        }
                        if (vm != null) {
                            destroy(host, row.id());
                        }
                    }
                }
                case STARTING -> {
                    // A young row belongs to its creator, unless the creator is gone: then the
                    // host's answer settles it now, once the host has finished what it was asked.
                    boolean orphan = orphaned.contains(row.id());
                    if (!orphan && row.createdAt().plus(deadlines.create()).isAfter(now)) {
                        continue;
                    }
                    if (orphan && vm != null && vm.getState() == SandboxState.SANDBOX_STATE_STARTING) {
                        continue;
                    }
                    if (live) {
                        sandboxes.markRunning(row.id(), EnumSet.of(SandboxStatus.STARTING),
                                vm.getStartedAtMs() == 0 ? null : Instant.ofEpochMilli(vm.getStartedAtMs()),
                                vm.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(vm.getExpiresAtMs()),
                                vm.getBootMs() == 0 ? null : vm.getBootMs());
                    } else {
                        sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.STARTING), SandboxStatus.ERROR,
                                orphan ? "create lost: its control plane stopped during it" : "create did not finish in time");
                        if (vm != null) {
                            destroy(host, row.id());
                        }
                    }
                }
                case STOPPING -> {
                    if (row.updatedAt().plus(deadlines.stoppingGrace()).isAfter(now)) {
                        continue;
                    }
                    if (vm != null && !destroy(host, row.id())) {
                        continue;
                    }
                    sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.STOPPING), SandboxStatus.STOPPED, row.statusReason());
                }
                case PAUSING, RESUMING -> {
                    // The caller gave up (its host call failed), or is gone with its control plane.
                    boolean callerGaveUp = row.hostCallLost() || orphaned.contains(row.id());
                    if (!callerGaveUp && row.updatedAt().plus(deadlines.pauseGrace()).isAfter(now) || vm == null) {
                        continue;
                    }
                    settleLostCall(host, row, vm);
                }
                case PAUSED -> {
                    if (vm != null && vm.getState() == SandboxState.SANDBOX_STATE_RUNNING) {
                        // A resume whose answer was lost after the row went back to paused.
                        sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.PAUSED), SandboxStatus.RUNNING, null);
                    } else if (vm == null) {
                        log.debug("paused sandbox {} is not listed by host {}; left paused", row.id(), host.address());
                    }
                }
                case STOPPED, ERROR -> {
                    // not returned by listActiveOnHost
                }
            }
        }

        // What is left on the host has no active row here. Read each again: a row created
        // after our first read belongs to a create in flight and must be left alone.
        for (Map.Entry<UUID, io.wrenn.hostagent.protocol.Sandbox> entry : onHost.entrySet()) {
            Optional<Sandbox> row = sandboxes.find(entry.getKey());
            boolean orphan = row.map(r -> r.status().terminal() || !host.id().equals(r.hostId())).orElse(true);
            if (orphan) {
                log.info("destroying sandbox {} on host {}: {}", entry.getKey(), host.address(),
                        row.map(r -> "it is " + r.status().wire()).orElse("unknown to the database"));
                destroy(host, entry.getKey());
            }
        }
    }

    /** Rule 7: a pausing or resuming row takes the host's settled state. */
    private void settleLostCall(Host host, Sandbox row, io.wrenn.hostagent.protocol.Sandbox vm) {
        boolean settled = switch (vm.getState()) {
            case SANDBOX_STATE_PAUSED -> sandboxes.markPaused(row.id(), EnumSet.of(row.status()), vm.getPauseGeneration(), null,
                    vm.getPausedWithoutMemory());
            case SANDBOX_STATE_RUNNING -> row.status() == SandboxStatus.RESUMING
                    ? sandboxes.markResumed(row.id(), vm.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(vm.getExpiresAtMs()))
                    : sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.PAUSING), SandboxStatus.RUNNING, null);
            default -> false; // still moving on the host: look again next pass
        };
        if (settled) {
            log.info("sandbox {} left {}: its host reports it {}", row.id(), row.status().wire(), vm.getState());
        }
    }

    private void hostUnreachable(Host host, Exception e) {
        if (host.online()) {
            log.warn("host {} does not answer: {}", host.address(), e instanceof StatusException s ? s.getStatus() : e.toString());
        }
        if (!hosts.markUnreachable(host.id(), host.address())) {
            return; // the host registered again elsewhere meanwhile: the next pass asks it there
        }
        int marked = sandboxes.transitionAllOnHost(host.id(), SandboxStatus.RUNNING, SandboxStatus.UNKNOWN, "host_unreachable");
        if (marked > 0) {
            log.warn("{} sandboxes on host {} are now unknown", marked, host.address());
        }
    }

    /**
     * Deletes the sandboxes paused for longer than the retention: a paused sandbox keeps its RAM
     * file and disk on the host, so keeping them forever would fill it. The stop's reason, shown
     * in the sandbox's lifecycle log, says why it went.
     */
    private void expirePaused(Host host, List<Sandbox> known, Instant now) {
        if (pausedRetention.isZero()) {
            return;
        }
        Instant cutoff = now.minus(pausedRetention);
        for (Sandbox row : known) {
            if (row.status() != SandboxStatus.PAUSED || row.pausedAt() == null || row.pausedAt().isAfter(cutoff)) {
                continue;
            }
            String reason = "retention_expired: paused longer than " + describe(pausedRetention);
            if (!sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.PAUSED), SandboxStatus.STOPPING, reason)) {
                continue; // resumed or deleted meanwhile
            }
            // A destroy that fails leaves the row 'stopping': the next passes finish it.
            if (destroy(host, row.id())) {
                sandboxes.transition(row.id(), EnumSet.of(SandboxStatus.STOPPING), SandboxStatus.STOPPED, reason);
                log.info("sandbox {} was paused since {}: deleted ({})", row.id(), row.pausedAt(), reason);
            }
        }
    }

    private static String describe(Duration duration) {
        if (duration.toDaysPart() > 0 && duration.toHoursPart() == 0 && duration.toMinutesPart() == 0 && duration.toSecondsPart() == 0) {
            return duration.toDays() + " days";
        }
        return duration.toSeconds() + " s";
    }

    private boolean destroy(Host host, UUID id) {
        try {
            agents.stub(host, deadlines.destroy()).destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id.toString()).build());
            return true;
        } catch (StatusException | RuntimeException e) {
            log.warn("could not destroy sandbox {} on host {}: {}", id, host.address(), e.toString());
            return false;
        }
    }

    private static boolean expired(Sandbox row, Instant now) {
        return row.expiresAt() != null && !row.expiresAt().isAfter(now.plus(EXPIRY_SLACK));
    }

    private static Optional<UUID> parseUuid(String value) {
        try {
            return Optional.of(UUID.fromString(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
