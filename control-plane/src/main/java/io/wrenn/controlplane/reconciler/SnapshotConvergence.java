package io.wrenn.controlplane.reconciler;

import io.wrenn.hostagent.protocol.Deadlines;
import io.grpc.StatusException;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.template.PendingSnapshot;
import io.wrenn.controlplane.template.SnapshotService;
import io.wrenn.controlplane.template.Template;
import io.wrenn.controlplane.template.TemplateStore;
import io.wrenn.hostagent.protocol.DeleteTemplateRequest;
import io.wrenn.hostagent.protocol.GetHostInfoRequest;
import io.wrenn.hostagent.protocol.TemplateImage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot half of a reconciler pass over one host (rules 8 and 9 of {@link Reconciler}):
 * settles {@code creating} template rows (snapshots and images made from sandboxes) whose caller is
 * gone, and removes such templates' files the host keeps that no live row names.
 */
final class SnapshotConvergence {

    private static final Logger log = LoggerFactory.getLogger(SnapshotConvergence.class);
    private static final Duration INFO_DEADLINE = Duration.ofSeconds(10);
    private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);
    /**
     * Past this age no caller can still be waiting on a snapshot: its host call's deadline plus
     * slack for the row written just before the call and for clocks.
     */

    private final TemplateStore templates;
    private final HostAgents agents;

    private final Duration createGrace;

    SnapshotConvergence(TemplateStore templates, HostAgents agents, Deadlines deadlines) {
        this.templates = templates;
        this.agents = agents;
        this.createGrace = deadlines.snapshotGrace();
    }

    /** @param self this control plane (null: no maker counts as gone) */
    void reconcile(Host host, Instant now, UUID self) {
        // Rows first, then the host: a create that starts in between has a row we did not read
        // and a template we may see, which the leftover rule below re-reads before touching.
        List<PendingSnapshot> pending = templates.listCreatingOnHost(host.id(), self);
        Map<String, TemplateImage> onHost = new HashMap<>();
        try {
            for (TemplateImage image : agents.stub(host, INFO_DEADLINE)
                    .getHostInfo(GetHostInfoRequest.getDefaultInstance()).getTemplatesList()) {
                if (Template.SNAPSHOT.equals(image.getType()) || image.getMade()) {
                    onHost.put(key(image.getTeamId(), image.getName()), image);
                }
            }
        } catch (StatusException | RuntimeException e) {
            log.debug("host {} did not list its templates: {}", host.address(), e.toString());
            return; // looked at again next pass
        }

        for (PendingSnapshot row : pending) {
            if (!row.hostCallLost() && !row.makerGone() && row.createdAt().plus(createGrace).isAfter(now)) {
                continue; // its caller still waits on the host
            }
            TemplateImage image = onHost.get(key(row.teamId().toString(), row.name()));
            if (templates.settleCreating(row, image, now)) {
                log.info("snapshot {}/{} {} on host {}", row.teamId(), row.name(),
                        image != null ? "was made: adopted" : "was not made: its row is removed", host.address());
            }
        }

        for (TemplateImage image : onHost.values()) {
            if (isLeftover(image, now)) {
                deleteOnHost(host, image);
            }
        }
    }

    /**
     * A team snapshot or made image on the host that no live row names, made longer ago than
     * any create could still be running. Platform ones are left alone, as are base images (not
     * made: they are not among these entries) and entries without a creation time.
     */
    private boolean isLeftover(TemplateImage image, Instant now) {
        UUID team;
        try {
            team = UUID.fromString(image.getTeamId());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (Template.PLATFORM_TEAM.equals(team) || image.getCreatedAtMs() == 0
                || Instant.ofEpochMilli(image.getCreatedAtMs()).plus(createGrace).isAfter(now)) {
            return false;
        }
        return !templates.knows(team, image.getName());
    }

    private void deleteOnHost(Host host, TemplateImage image) {
        log.info("removing snapshot {}/{} from host {}: no template row names it", image.getTeamId(), image.getName(),
                host.address());
        try {
            agents.stub(host, DELETE_DEADLINE).deleteTemplate(DeleteTemplateRequest.newBuilder()
                    .setTeamId(image.getTeamId()).setName(image.getName()).build());
        } catch (StatusException | RuntimeException e) {
            log.warn("could not remove snapshot {}/{} from host {}: {}", image.getTeamId(), image.getName(),
                    host.address(), e.toString());
        }
    }

    private static String key(String teamId, String name) {
        return teamId + "/" + name;
    }
}
