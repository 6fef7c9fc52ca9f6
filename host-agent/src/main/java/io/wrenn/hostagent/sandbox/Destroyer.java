package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Destroys sandboxes: their VM, namespace, slot and files, whether this agent holds them or not. */
final class Destroyer {

    private static final Logger LOG = LoggerFactory.getLogger(Destroyer.class);

    private final SandboxHost host;
    private final SandboxResources resources;

    Destroyer(SandboxHost host, SandboxResources resources) {
        this.host = host;
        this.resources = resources;
    }

    /** See {@link SandboxManager#destroy(String)}. */
    void destroy(String sandboxId) {
        if (!Layout.isUuid(sandboxId)) {
            return;
        }
        Sandbox sandbox = host.sandboxes.get(sandboxId);
        if (sandbox == null) {
            removeResidue(sandboxId);
            return;
        }
        sandbox.lock.lock();
        try {
            if (sandbox.state() == Sandbox.State.STOPPED && !host.sandboxes.containsKey(sandboxId)) {
                return;
            }
            sandbox.state(Sandbox.State.STOPPING);
            resources.releaseVmAndNetwork(sandbox);
            DirectoryTrees.deleteRecursively(host.layout.sandboxDir(sandboxId));
            sandbox.state(Sandbox.State.STOPPED);
            host.sandboxes.remove(sandboxId, sandbox);
            LOG.info("sandbox {} destroyed", sandboxId);
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** Leftovers of a sandbox this agent does not hold in memory: a VM, a namespace, a directory. */
    void removeResidue(String sandboxId) {
        Path dir = host.layout.sandboxDir(sandboxId);
        Optional<SandboxRecord> record = host.store.read(sandboxId);
        host.store.qemuPid(sandboxId).ifPresent(pid -> host.vms.kill(pid, host.layout.sandboxQmpSocket(sandboxId)));
        NetworkSlot slot = record.filter(r -> r.slot() > 0).map(r -> new NetworkSlot(r.slot())).orElse(null);
        String namespace = SandboxNetwork.namespaceName(sandboxId);
        if (host.network.listNamespaces().contains(namespace) || slot != null) {
            host.network.delete(namespace, slot);
        }
        if (slot != null) {
            host.slots.release(slot);
        }
        if (Files.exists(dir)) {
            DirectoryTrees.deleteRecursively(dir);
        }
    }

    /** See {@link SandboxManager#destroyAll()}. */
    void destroyAll() {
        List<Thread> threads = new ArrayList<>();
        for (String id : List.copyOf(host.sandboxes.keySet())) {
            threads.add(Thread.ofVirtual().name("destroy-" + id).start(() -> {
                try {
                    destroy(id);
                } catch (RuntimeException e) {
                    LOG.warn("could not destroy sandbox {}: {}", id, e.toString());
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
