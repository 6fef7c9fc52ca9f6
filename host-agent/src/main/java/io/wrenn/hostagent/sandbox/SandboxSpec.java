package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.net.NetworkPolicy;
import java.util.Map;

/**
 * What was asked for when the sandbox was created: the create request, kept whole in
 * {@code sandbox.json} so that a restarted agent knows everything about a VM it re-adopts. The
 * egress policy is the one exception to "as asked": a live change replaces it here, so a resume or
 * a restarted agent applies the policy in force (a record without one is {@link NetworkPolicy#OPEN}).
 */
public record SandboxSpec(
        String sandboxId,
        String teamId,
        String templateTeamId,
        String templateName,
        int vcpus,
        int memoryMb,
        int diskSizeMb,
        int timeoutS,
        Map<String, String> env,
        OnTimeout onTimeout,
        NetworkPolicy network) {

    /** What the timeout does to a sandbox: destroy it, pause it, or pause it keeping only its disk. */
    public enum OnTimeout { DESTROY, PAUSE, PAUSE_FILESYSTEM }

    public SandboxSpec {
        env = env == null ? Map.of() : Map.copyOf(env);
        onTimeout = onTimeout == null ? OnTimeout.DESTROY : onTimeout;
        network = NetworkPolicy.orOpen(network);
    }

    /** The same sandbox under another egress policy (a live change). */
    public SandboxSpec withNetwork(NetworkPolicy value) {
        return new SandboxSpec(sandboxId, teamId, templateTeamId, templateName, vcpus, memoryMb, diskSizeMb, timeoutS, env,
                onTimeout, value);
    }
}
