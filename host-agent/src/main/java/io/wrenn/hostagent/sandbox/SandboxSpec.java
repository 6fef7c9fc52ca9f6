package io.wrenn.hostagent.sandbox;

import java.util.Map;

/**
 * What was asked for when the sandbox was created: the create request, kept whole in
 * {@code sandbox.json} so that a restarted agent knows everything about a VM it re-adopts.
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
        OnTimeout onTimeout) {

    /** What the timeout does to a sandbox. */
    public enum OnTimeout { DESTROY, PAUSE }

    public SandboxSpec {
        env = env == null ? Map.of() : Map.copyOf(env);
        onTimeout = onTimeout == null ? OnTimeout.DESTROY : onTimeout;
    }
}
