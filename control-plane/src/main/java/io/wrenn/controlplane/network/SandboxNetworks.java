package io.wrenn.controlplane.network;

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
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.hostagent.protocol.GetSandboxNetworkRequest;
import io.wrenn.hostagent.protocol.SetSandboxNetworkRequest;
import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Reading and changing a sandbox's network settings. A change goes to the host first (a running
 * sandbox's namespace takes it at once; a paused one keeps it for its resume) and to the row
 * after, so a change the host refuses changes nothing.
 */
public final class SandboxNetworks {

    private static final Duration HOST_DEADLINE = Duration.ofSeconds(30);

    private final SandboxService sandboxes;
    private final SandboxStore store;
    private final HostStore hosts;
    private final HostAgents agents;

    public SandboxNetworks(SandboxService sandboxes, SandboxStore store, HostStore hosts, HostAgents agents) {
        this.sandboxes = sandboxes;
        this.store = store;
        this.hosts = hosts;
        this.agents = agents;
    }

    /** The settings in force, and connections refused so far (counted by the host while it runs). */
    public record State(NetworkPolicy policy, long deniedConnections) {
    }

    public NetworkPolicy policy(Sandbox sandbox) {
        return store.network(sandbox.id());
    }

    public State get(UUID teamId, String wireId) {
        Sandbox sandbox = sandboxes.get(teamId, wireId);
        NetworkPolicy policy = store.network(sandbox.id());
        long denied = 0;
        if (sandbox.status() == SandboxStatus.RUNNING) {
            Host host = hostOf(sandbox);
            try {
                denied = agents.stub(host, HOST_DEADLINE).getSandboxNetwork(GetSandboxNetworkRequest.newBuilder()
                        .setSandboxId(sandbox.id().toString()).build()).getDeniedConnections();
            } catch (StatusException e) {
                throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
            }
        }
        return new State(policy, denied);
    }

    /** Applies {@code change} to a running or paused sandbox's settings. */
    public NetworkPolicy update(UUID teamId, String wireId, UnaryOperator<NetworkPolicy> change) {
        Sandbox sandbox = sandboxes.get(teamId, wireId);
        if (sandbox.status() != SandboxStatus.RUNNING && sandbox.status() != SandboxStatus.PAUSED) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the sandbox is " + sandbox.status().wire()
                    + "; its network can be changed while it runs or is paused");
        }
        NetworkPolicy updated = change.apply(store.network(sandbox.id()));
        try {
            agents.stub(hostOf(sandbox), HOST_DEADLINE).setSandboxNetwork(SetSandboxNetworkRequest.newBuilder()
                    .setSandboxId(sandbox.id().toString()).setNetwork(updated.toProto()).build());
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        }
        store.saveNetwork(sandbox.id(), updated);
        return updated;
    }

    private Host hostOf(Sandbox sandbox) {
        return hosts.find(sandbox.hostId())
                .orElseThrow(() -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "the sandbox's host is gone"));
    }
}
