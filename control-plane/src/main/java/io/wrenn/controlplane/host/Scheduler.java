package io.wrenn.controlplane.host;

import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.template.Template;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.HostInfo;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the host for a new sandbox: a snapshot's own host (its files are there only); for an
 * image, among online hosts that answer and hold it, the one with the smallest share of its
 * memory already given to sandboxes.
 * Asking each host for its facts at schedule time keeps the choice honest (a host's image
 * cache is its own business) at the cost of one short call per host.
 */
public final class Scheduler {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    private static final Duration INFO_DEADLINE = Duration.ofSeconds(5);

    /** How long a create waits for a reconnecting host before it is refused (503, Retry-After). */
    private static final Duration HOST_WAIT = Duration.ofSeconds(5);
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(1);
    private static final Duration PROBE_PAUSE = Duration.ofMillis(250);

    private final HostStore hosts;
    private final HostAgents agents;
    /** Memory (MiB) already reserved on each host by sandboxes that are not stopped. */
    private final Function<List<UUID>, Map<UUID, Long>> reservedMemory;

    public Scheduler(HostStore hosts, HostAgents agents, Function<List<UUID>, Map<UUID, Long>> reservedMemory) {
        this.hosts = hosts;
        this.agents = agents;
        this.reservedMemory = reservedMemory;
    }

    /** The best host for a sandbox of {@code template} (see {@link #candidates}). */
    public Host choose(Template template) {
        return candidates(template).getFirst();
    }

    /**
     * The hosts that could start a sandbox of {@code template}, best first: the caller admits it
     * on the first whose budget it fits ({@code Admission}). Never empty; 503 when no host qualifies.
     */
    public List<Host> candidates(Template template) {
        if (template.hostId() != null) {
            // A snapshot's files live on one host: there is no choice to make and nobody to ask
            // (a host that lost them answers the create with not-found).
            if (hosts.find(template.hostId()).filter(Host::online).isEmpty()) {
                waitForHosts(() -> hosts.find(template.hostId()).stream().toList());
            }
            return List.of(hosts.find(template.hostId()).filter(Host::online)
                    .orElseThrow(() -> new ApiException(ErrorCode.NO_HOST_AVAILABLE,
                            "the host of snapshot '" + template.name() + "' is not online; try again shortly")));
        }
        List<Host> online = hosts.online();
        if (online.isEmpty()) {
            waitForHosts(hosts::all);
            online = hosts.online();
        }
        if (online.isEmpty()) {
            throw new ApiException(ErrorCode.NO_HOST_AVAILABLE, "no host is online; try again shortly");
        }
        Map<UUID, Long> reserved = reservedMemory.apply(online.stream().map(Host::id).toList());
        record Candidate(Host host, double load) {
        }
        List<Host> candidates = online.stream()
                .map(host -> {
                    HostInfo info;
                    try {
                        info = agents.stub(host, INFO_DEADLINE).getHostInfo(GetHostInfoRequest.getDefaultInstance());
                    } catch (StatusException e) {
                        log.warn("host {} did not answer GetHostInfo: {}", host.address(), e.getStatus());
                        return null;
                    } catch (RuntimeException e) {
                        log.warn("host {} could not be asked for its facts", host.address(), e);
                        return null;
                    }
                    hosts.recordInfo(host.id(), info);
                    boolean hasImage = info.getTemplatesList().stream().anyMatch(t ->
                            t.getName().equals(template.name()) && t.getTeamId().equals(template.teamId().toString()));
                    if (!hasImage) {
                        return null;
                    }
                    double capacity = Math.max(1, info.getMemoryMb());
                    return new Candidate(host, reserved.getOrDefault(host.id(), 0L) / capacity);
                })
                .filter(java.util.Objects::nonNull)
                .sorted(Comparator.comparingDouble(Candidate::load))
                .map(Candidate::host)
                .toList();
        if (candidates.isEmpty()) {
            throw new ApiException(ErrorCode.NO_HOST_AVAILABLE, "no online host can start template '" + template.name() + "'");
        }
        return candidates;
    }

    /**
     * A host that is not online may be reconnecting (its agent restarting, or the reconciler
     * not past it yet): ask the candidates directly for a bounded time rather than refuse a
     * create the host could take a moment later. A host that answers is online again.
     */
    private void waitForHosts(java.util.function.Supplier<List<Host>> candidates) {
        long deadline = System.nanoTime() + HOST_WAIT.toNanos();
        do {
            List<Host> hostsNow = candidates.get();
            if (hostsNow.isEmpty()) {
                return; // nothing to wait for
            }
            for (Host host : hostsNow) {
                if (host.online() || answers(host)) {
                    return;
                }
            }
            try {
                Thread.sleep(PROBE_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (System.nanoTime() < deadline);
    }

    private boolean answers(Host host) {
        try {
            HostInfo info = agents.stub(host, PROBE_DEADLINE).getHostInfo(GetHostInfoRequest.getDefaultInstance());
            hosts.recordInfo(host.id(), info);
            log.info("host {} answers again", host.address());
            return true;
        } catch (StatusException | RuntimeException e) {
            return false;
        }
    }
}
