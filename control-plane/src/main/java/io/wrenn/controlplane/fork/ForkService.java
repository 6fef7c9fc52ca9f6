package io.wrenn.controlplane.fork;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.network.SandboxNetworks;
import io.wrenn.controlplane.sandbox.CreateSandboxBody;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.template.SnapshotService;
import io.wrenn.controlplane.template.Template;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Forks a running sandbox: one snapshot of it (memory, processes, files; the source keeps
 * running, its id and end untouched), then {@code count} sandboxes restored from that snapshot,
 * each with the source's metadata and network policy. The snapshot is a hidden template (not
 * listed, not deletable through the snapshot routes): each fork maps its memory while it lives.
 * Every fork succeeds or fails on its own; a failure is reported in its place of the result.
 * The snapshot goes (files on every host, row hidden) once no fork of it is left: at once when
 * every fork failed, else by {@link #collectUnused} when the last one has stopped.
 */
public final class ForkService {

    public static final int MAX_COUNT = 10;

    /**
     * How old a fork's snapshot must be before it is collected for having no running fork: longer
     * than a fork call of {@value #MAX_COUNT} copies takes, during which its forks are still being made.
     */
    public static final java.time.Duration COLLECT_AFTER = java.time.Duration.ofMinutes(10);

    /** The build cache key of every fork's snapshot starts with this (it also hides them from listings). */
    private static final String KEY_PREFIX = "fork:";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ForkService.class);

    private final SandboxService sandboxes;
    private final SnapshotService snapshots;
    private final SandboxNetworks networks;
    private final io.wrenn.controlplane.template.TemplateStore templates;

    public ForkService(SandboxService sandboxes, SnapshotService snapshots, SandboxNetworks networks,
            io.wrenn.controlplane.template.TemplateStore templates) {
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.networks = networks;
        this.templates = templates;
    }

    /**
     * Removes the snapshots of forks made before {@code madeBefore} of which no fork is left
     * (running or paused); returns how many. A host that does not answer leaves its snapshot for
     * a later pass.
     */
    public int collectUnused(java.time.Instant madeBefore) {
        int removed = 0;
        for (Template template : templates.listUnusedByKeyPrefix(KEY_PREFIX, madeBefore)) {
            if (removeQuietly(template)) {
                removed++;
            }
        }
        return removed;
    }

    private boolean removeQuietly(Template template) {
        try {
            snapshots.remove(template);
            LOG.info("fork snapshot {} removed: no fork of it is left", template.name());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("fork snapshot {} not removed yet: {}", template.name(), e.getMessage());
            return false;
        }
    }

    /** One fork's outcome: exactly one of the two is set. */
    public record Outcome(Sandbox sandbox, ApiException error) {
    }

    /**
     * Forks the team's sandbox {@code wireId} into {@code count} running copies that end
     * {@code timeoutS} seconds from now (their timeout action is the source's).
     */
    public List<Outcome> fork(UUID teamId, String wireId, int count, int timeoutS) {
        if (count < 1 || count > MAX_COUNT) {
            throw ApiException.invalid("'count' must be 1 to " + MAX_COUNT);
        }
        Sandbox source = sandboxes.get(teamId, wireId);
        if (source.status() != SandboxStatus.RUNNING) {
            throw new ApiException(source.status().terminal() ? ErrorCode.SANDBOX_NOT_FOUND : ErrorCode.INVALID_STATE,
                    "the sandbox is " + source.status().wire() + "; only a running sandbox can be forked");
        }
        String name = "fork-" + HexFormat.of().formatHex(randomBytes());
        // The cache key hides the snapshot from every listing: it exists for its forks only.
        Template template = snapshots.make(teamId, source, name, Template.SNAPSHOT, SnapshotService.Defaults.NONE,
                KEY_PREFIX + WireId.SANDBOX.encode(source.id()) + ":" + name);
        CreateSandboxBody copy = new CreateSandboxBody(template.name(), OptionalInt.empty(), OptionalInt.empty(),
                source.diskSizeMb(), timeoutS, Map.of(), source.metadata(), source.onTimeout(), false,
                networks.policy(source));
        List<Outcome> outcomes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                outcomes.add(new Outcome(sandboxes.createIn(teamId, template, copy), null));
            } catch (ApiException e) {
                outcomes.add(new Outcome(null, e));
            }
        }
        if (outcomes.stream().allMatch(o -> o.sandbox() == null)) {
            removeQuietly(template);
        }
        return outcomes;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
