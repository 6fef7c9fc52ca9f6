package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.net.SandboxNetwork;

/**
 * A sandbox's egress policy while it lives: replaced at once in its namespace when it runs, and
 * always in its record, so a paused sandbox resumes (and a restarted agent re-adopts it) under the
 * policy in force.
 */
final class NetworkPolicies {

    private final SandboxHost host;
    private final LiveSandboxes live;

    NetworkPolicies(SandboxHost host, LiveSandboxes live) {
        this.host = host;
        this.live = live;
    }

    /** See {@link SandboxManager#setNetworkPolicy(String, NetworkPolicy)}. */
    Sandbox setPolicy(String sandboxId, NetworkPolicy policy) {
        Sandbox sandbox = live.known(sandboxId);
        sandbox.lock.lock();
        try {
            if (sandbox.state() == Sandbox.State.STOPPED || !host.sandboxes.containsKey(sandboxId)) {
                throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
            }
            // The namespace first: if nft refuses, nothing changed anywhere.
            if (sandbox.state() == Sandbox.State.RUNNING && sandbox.record().slot() > 0) {
                host.network.updatePolicy(SandboxNetwork.namespaceName(sandboxId), sandbox.slot(), policy);
            }
            SandboxRecord updated = sandbox.record().withSpec(sandbox.record().spec().withNetwork(policy));
            host.store.write(updated);
            sandbox.record(updated);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** See {@link SandboxManager#deniedConnections(String)}. */
    long deniedConnections(String sandboxId) {
        Sandbox sandbox = live.known(sandboxId);
        if (sandbox.state() != Sandbox.State.RUNNING || sandbox.record().slot() <= 0) {
            return 0;
        }
        return host.network.deniedConnections(SandboxNetwork.namespaceName(sandboxId));
    }
}
