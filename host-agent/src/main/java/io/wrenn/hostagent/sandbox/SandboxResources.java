package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.os.DirectoryTrees;
import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a live sandbox holds on the host besides its files: its directory and its namespace on a
 * slot, set up one step at a time with an undo for each, and given back together with its VM.
 */
final class SandboxResources {

    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SandboxResources.class);

    private final SandboxHost host;
    private volatile boolean unpinnedWarned;

    SandboxResources(SandboxHost host) {
        this.host = host;
    }

    void prepareDirectory(String id, Undo undo) {
        Path dir = host.layout.sandboxDir(id);
        try {
            io.wrenn.hostagent.layout.PrivateDirectories.create(dir.getParent());
            io.wrenn.hostagent.layout.PrivateDirectories.create(dir);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's directory", e);
        }
        undo.add("remove sandbox directory", () -> DirectoryTrees.deleteRecursively(dir));
    }

    /**
     * The path to make the sandbox's overlay on, for {@code base}: a hard link to it in the
     * sandbox's directory. An overlay names its base by path, and QEMU opens that path again at
     * every resume; a base image rebuilt later (an upgrade's {@code ./wrenn images}) is a new file
     * under the old name, and an overlay read over another base than it was written on is a
     * corrupt disk. Through the link the sandbox keeps the very file it started from, for as long
     * as its directory lives, and the file system frees it after the last sandbox that uses it.
     * Where images live on another file system ({@code WRENN_IMAGES}), no link can be made: the
     * base is used by its own path, as the warning says.
     */
    Path pinBase(String id, Path base) {
        Path link;
        Path real;
        try {
            real = base.toRealPath();
            link = host.layout.sandboxBase(id, real);
            Files.deleteIfExists(link);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not read the sandbox's base image", e);
        }
        try {
            Files.createLink(link, real);
            return link;
        } catch (IOException | UnsupportedOperationException e) {
            if (!unpinnedWarned) {
                unpinnedWarned = true;
                LOG.warn("cannot link base images into sandbox directories ({}): sandboxes use {} by its path, and one"
                        + " paused across a rebuild of that image will not resume; keep WRENN_IMAGES on the file system"
                        + " of WRENN_HOME", e.getMessage(), real.getParent());
            }
            return real;
        }
    }

    /** The sandbox's namespace on a free slot, deleted (and the slot freed) if a later step fails. */
    NetworkSlot prepareNetwork(String id, NetworkPolicy policy, Undo undo) {
        String namespace = SandboxNetwork.namespaceName(id);
        NetworkSlot slot = createNetwork(namespace, policy);
        undo.add("delete network", () -> {
            host.network.delete(namespace, slot);
            host.slots.release(slot);
        });
        return slot;
    }

    private NetworkSlot createNetwork(String namespace, NetworkPolicy policy) {
        for (int attempt = 0; attempt < 8; attempt++) {
            NetworkSlot slot = host.slots.allocate();
            try {
                host.network.create(namespace, slot, policy);
                return slot;
            } catch (SandboxNetwork.SlotTakenException e) {
                // Another agent took it between our check and our create: its veth now exists, so
                // the allocator skips it next time.
                host.slots.release(slot);
            } catch (RuntimeException e) {
                host.slots.release(slot);
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not set up the sandbox's network", e);
            }
        }
        throw new SandboxException(SandboxException.Kind.RESOURCE_EXHAUSTED, "no free network slot on this host");
    }

    /**
     * A new connection to the guest about to run on the sandbox's recorded slot, closed if a later step
     * fails: every incarnation has its own, so nothing opened to an earlier VM is reused for it.
     */
    GuestConnection connectGuest(Sandbox sandbox, Undo undo) {
        return connectGuest(sandbox, undo, sandbox.record().envdAccessToken());
    }

    /** As {@link #connectGuest(Sandbox, Undo)}, giving envd {@code accessToken} at its {@code /init}. */
    GuestConnection connectGuest(Sandbox sandbox, Undo undo, String accessToken) {
        GuestConnection guest = host.connectGuest(sandbox, accessToken);
        undo.add("close guest connection", guest::close);
        return guest;
    }

    /**
     * Stops the VM, closes the guest connection and frees the namespace and slot: what a
     * destroy and a committed pause both give up. The record is left to the caller.
     */
    void releaseVmAndNetwork(Sandbox sandbox) {
        if (sandbox.pid() > 0) {
            host.vms.stop(sandbox.pid(), host.qmpSocket(sandbox), STOP_GRACE);
        }
        closeGuest(sandbox);
        if (sandbox.record().slot() > 0) {
            host.network.delete(SandboxNetwork.namespaceName(sandbox.id()), sandbox.slot());
            host.slots.release(sandbox.slot());
        }
    }

    /** Ends the streams of the guest's connection (their VM is going) and drops it. */
    static void closeGuest(Sandbox sandbox) {
        GuestConnection guest = sandbox.guest();
        if (guest != null) {
            guest.close();
        }
    }
}
