package io.wrenn.controlplane.console;

import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.hostagent.protocol.ReadConsoleRequest;
import io.wrenn.hostagent.protocol.ReadConsoleResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the end of a team's sandbox's console from its host. The host keeps a console as long as
 * it has the sandbox (from its boot, through pauses, until it is destroyed), so the console is
 * read in every state but the ones after a stop; the text comes from the host already decoded
 * and stripped of control characters.
 */
public final class SandboxConsoles {

    /** What is read when the caller asks for no particular amount. */
    public static final int DEFAULT_BYTES = 64 * 1024;
    /** The most one call may ask for (the host's own bound). */
    public static final int MAX_BYTES = 256 * 1024;

    private static final Duration HOST_DEADLINE = Duration.ofSeconds(30);
    /** States in which the sandbox's host has it, or may still (unknown: its host did not answer lately). */
    private static final Set<SandboxStatus> ON_ITS_HOST = EnumSet.of(SandboxStatus.STARTING, SandboxStatus.RUNNING,
            SandboxStatus.PAUSING, SandboxStatus.PAUSED, SandboxStatus.RESUMING, SandboxStatus.UNKNOWN);

    private final SandboxService sandboxes;
    private final HostStore hosts;
    private final HostAgents agents;

    public SandboxConsoles(SandboxService sandboxes, HostStore hosts, HostAgents agents) {
        this.sandboxes = sandboxes;
        this.hosts = hosts;
        this.agents = agents;
    }

    /**
     * @param text      the console's end, from the start of a line where the bytes allow
     * @param truncated whether earlier output exists that is not in {@code text}
     */
    public record Tail(String text, boolean truncated) {
    }

    /** The last {@code bytes} (1 to {@link #MAX_BYTES}) of the console; 404 for another team's sandbox, 409 once it stopped. */
    public Tail tail(UUID teamId, String wireId, int bytes) {
        Sandbox sandbox = sandboxes.get(teamId, wireId);
        if (!ON_ITS_HOST.contains(sandbox.status()) || sandbox.hostId() == null) {
            throw new ApiException(ErrorCode.INVALID_STATE, "sandbox '" + wireId + "' is " + sandbox.status().wire()
                    + "; a console is kept only until its sandbox stops");
        }
        Host host = hosts.find(sandbox.hostId())
                .orElseThrow(() -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host is gone"));
        try {
            ReadConsoleResponse answer = agents.stub(host, HOST_DEADLINE).readConsole(ReadConsoleRequest.newBuilder()
                    .setSandboxId(sandbox.id().toString()).setMaxBytes(bytes).build());
            return new Tail(answer.getText(), answer.getTruncated());
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        }
    }
}
