package io.wrenn.controlplane.sandbox;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.Capacity;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.team.QuotaStore;
import io.wrenn.controlplane.team.TeamQuota;
import java.util.UUID;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Decides whether a sandbox may start, resume or pause: its team's quota ({@link TeamQuota})
 * and its host's budget ({@link Capacity}). The check and the row change that claims the
 * resources happen in one transaction that holds the team's and then the host's advisory
 * lock, so two creates racing for the last room cannot both get it (also across control
 * planes on one database). A refusal changes nothing.
 */
public final class Admission {

    /** Statuses that count as running for a team's quota. */
    private static final String RUNNING = "('starting', 'running', 'resuming', 'unknown')";
    /** Statuses that count as paused. */
    private static final String PAUSED = "('paused', 'pausing')";

    private final Jdbi jdbi;
    private final Capacity capacity;
    private final QuotaStore quotas;

    public Admission(Jdbi jdbi, Capacity capacity, QuotaStore quotas) {
        this.jdbi = jdbi;
        this.capacity = capacity;
        this.quotas = quotas;
    }

    /** What a team holds now, as its quota counts it. */
    public record TeamUsage(long running, long paused, long diskMb) {
    }

    public TeamUsage usage(UUID teamId) {
        return jdbi.withHandle(h -> usage(h, teamId, null));
    }

    /**
     * Admits a new sandbox of {@code teamId} on {@code hostId} asking {@code ask}, and runs
     * {@code claim} (the row's insert) in the same transaction. 429 {@code quota_exceeded} or
     * 503 {@code capacity_exceeded} otherwise.
     */
    public void admitNew(UUID teamId, UUID hostId, Capacity.Load ask, java.util.function.Consumer<Handle> claim) {
        jdbi.useTransaction(h -> {
            lock(h, "team", teamId);
            requireNotSuspended(h, teamId);
            TeamQuota quota = quotas.of(h, teamId);
            TeamUsage usage = usage(h, teamId, null);
            requireRunningRoom(quota, usage);
            if (usage.diskMb() + ask.diskMb() > quota.maxDiskMb()) {
                throw new ApiException(ErrorCode.QUOTA_EXCEEDED, "your team's disk quota is " + quota.maxDiskMb()
                        + " MiB and its sandboxes hold " + usage.diskMb() + " MiB: stop some, or ask an admin for more");
            }
            requireHostRoom(h, hostId, null, ask);
            claim.accept(h);
        });
    }

    /**
     * Admits the resume of a paused sandbox (its team's running quota, its host's budget at its
     * full size) and runs {@code claim} (its move to {@code resuming}), whose answer it returns.
     */
    public boolean admitResume(Sandbox sandbox, Predicate<Handle> claim) {
        return jdbi.inTransaction(h -> {
            lock(h, "team", sandbox.teamId());
            requireNotSuspended(h, sandbox.teamId());
            requireRunningRoom(quotas.of(h, sandbox.teamId()), usage(h, sandbox.teamId(), sandbox.id()));
            if (sandbox.hostId() != null) {
                requireHostRoom(h, sandbox.hostId(), sandbox.id(),
                        new Capacity.Load(sandbox.vcpus(), sandbox.memoryMb(), sandbox.diskSizeMb()));
            }
            return claim.test(h);
        });
    }

    /** Admits the pause of a running sandbox (its team's paused quota) and runs {@code claim}. */
    public boolean admitPause(Sandbox sandbox, Predicate<Handle> claim) {
        return jdbi.inTransaction(h -> {
            lock(h, "team", sandbox.teamId());
            TeamQuota quota = quotas.of(h, sandbox.teamId());
            TeamUsage usage = usage(h, sandbox.teamId(), sandbox.id());
            if (usage.paused() + 1 > quota.maxPaused()) {
                throw new ApiException(ErrorCode.QUOTA_EXCEEDED, "your team may keep " + quota.maxPaused()
                        + " paused sandboxes and has " + usage.paused() + ": delete some, or ask an admin for more");
            }
            return claim.test(h);
        });
    }

    /**
     * A suspended team starts and resumes nothing, whoever asks: its keys are refused already,
     * but traffic that wakes an auto-resume sandbox carries none.
     */
    private static void requireNotSuspended(Handle h, UUID teamId) {
        boolean suspended = h.createQuery("SELECT EXISTS (SELECT 1 FROM teams WHERE id = :team AND suspended_at IS NOT NULL)")
                .bind("team", teamId).mapTo(Boolean.class).one();
        if (suspended) {
            throw new ApiException(ErrorCode.TEAM_SUSPENDED, "this team is suspended by the platform's admins");
        }
    }

    private static void requireRunningRoom(TeamQuota quota, TeamUsage usage) {
        if (usage.running() + 1 > quota.maxRunning()) {
            throw new ApiException(ErrorCode.QUOTA_EXCEEDED, "your team may run " + quota.maxRunning()
                    + " sandboxes at once and runs " + usage.running() + ": stop or pause some, or ask an admin for more");
        }
    }

    private void requireHostRoom(Handle h, UUID hostId, UUID except, Capacity.Load ask) {
        lock(h, "host", hostId);
        Capacity.HostFacts facts = h.createQuery("SELECT cpu_count, memory_mb, disk_free_mb FROM hosts WHERE id = :host")
                .bind("host", hostId)
                .map((rs, ctx) -> new Capacity.HostFacts(rs.getObject("cpu_count", Integer.class),
                        rs.getObject("memory_mb", Long.class), rs.getObject("disk_free_mb", Long.class)))
                .findOne()
                .orElse(new Capacity.HostFacts(null, null, null));
        Capacity.Load committed = h.createQuery("""
                        SELECT coalesce(sum(CASE WHEN status = 'paused' THEN 0 ELSE vcpus END), 0) AS vcpus,
                               coalesce(sum(CASE WHEN status = 'paused' THEN (memory_mb + 1) / 2 ELSE memory_mb END), 0) AS memory,
                               coalesce(sum(CASE WHEN status = 'paused' THEN (disk_size_mb * 2 + 2) / 3 ELSE disk_size_mb END), 0) AS disk
                        FROM sandboxes WHERE host_id = :host AND status NOT IN ('stopped', 'error')
                            AND id IS DISTINCT FROM CAST(:except AS uuid)""")
                .bind("host", hostId)
                .bind("except", except)
                .map((rs, ctx) -> new Capacity.Load(rs.getLong("vcpus"), rs.getLong("memory"), rs.getLong("disk")))
                .one();
        capacity.refusal(facts, committed, ask).ifPresent(reason -> {
            throw new ApiException(ErrorCode.CAPACITY_EXCEEDED, "no room on the host: " + reason + "; try again later");
        });
    }

    private static TeamUsage usage(Handle h, UUID teamId, UUID except) {
        return h.createQuery("SELECT count(*) FILTER (WHERE status IN " + RUNNING + ") AS running,"
                        + " count(*) FILTER (WHERE status IN " + PAUSED + ") AS paused,"
                        + " coalesce(sum(disk_size_mb), 0) AS disk"
                        + " FROM sandboxes WHERE team_id = :team AND status NOT IN ('stopped', 'error') AND id IS DISTINCT FROM CAST(:except AS uuid)")
                .bind("team", teamId)
                .bind("except", except)
                .map((rs, ctx) -> new TeamUsage(rs.getLong("running"), rs.getLong("paused"), rs.getLong("disk")))
                .one();
    }

    /**
     * Takes {@code teamId}'s admission lock in {@code h}'s transaction: every decision on a
     * team's quota (sandboxes here, template builds in {@code BuildService}) counts and claims
     * under it, so racing requests, on any control plane, are decided one after the other.
     */
    public static void lockTeam(Handle h, UUID teamId) {
        lock(h, "team", teamId);
    }

    /** Serialises admissions for one team or host: held until the transaction ends. */
    private static void lock(Handle h, String kind, UUID id) {
        h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) AS locked")
                .bind("key", kind + ":" + id)
                .mapTo(Integer.class)
                .one();
    }
}
