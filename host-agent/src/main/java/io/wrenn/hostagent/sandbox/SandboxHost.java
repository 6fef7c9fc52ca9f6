package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.disk.DiskImages;
import io.wrenn.hostagent.guest.GuestConnector;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.net.SlotAllocator;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.VirtualMachines;
import io.wrenn.hostagent.vm.VmBuild;
import io.wrenn.hostagent.vm.VmControl;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every sandbox job of this host works with: where files go, the network, disks, VMs, their
 * control sockets and guest connections,
 * the records on disk, the slots, the clock and the live sandboxes. The jobs ({@link Creator},
 * {@link Pauser}, {@link Recovery}, ...) share this one object instead of referring to each other.
 */
final class SandboxHost {

    final Layout layout;
    final SandboxNetwork network;
    final DiskImages disks;
    final VirtualMachines vms;
    final VmControl vmControl;
    final GuestConnector guests;
    final TemplateCatalog templates;
    final SandboxStore store;
    final SlotAllocator slots;
    final Clock clock;
    final BootPolicy bootPolicy;
    /** The sandboxes this agent holds, by id: a cache of what is on disk and in the process table. */
    final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private volatile Accelerator accelerator = Accelerator.TCG;
    /** Set on shutdown: no new creates, and boots in progress give up (and undo) at once. */
    private volatile boolean closing;
    /** Test hook: called at named steps of pause, resume and snapshot (a crash is simulated by throwing an Error). */
    private volatile SandboxManager.CrashPoints crashPoints = name -> { };

    SandboxHost(Layout layout, SandboxNetwork network, DiskImages disks, VirtualMachines vms, VmControl vmControl, GuestConnector guests,
            TemplateCatalog templates, BootPolicy bootPolicy, Clock clock) {
        this.layout = layout;
        this.network = network;
        this.disks = disks;
        this.vms = vms;
        this.vmControl = vmControl;
        this.guests = guests;
        this.templates = templates;
        this.store = new SandboxStore(layout);
        this.slots = new SlotAllocator(network::hostVethExists);
        this.bootPolicy = bootPolicy;
        this.clock = clock;
    }

    Accelerator accelerator() {
        return accelerator;
    }

    void accelerator(Accelerator value) {
        accelerator = value;
    }

    void crashPoints(SandboxManager.CrashPoints value) {
        crashPoints = value;
    }

    /** A named step of pause, resume or snapshot, where a test may stop the agent. */
    void crashPoint(String step) {
        crashPoints.reached(step);
    }

    void close() {
        closing = true;
    }

    boolean closing() {
        return closing;
    }

    /** Nothing new starts once the agent is shutting down. */
    void refuseWhenClosing() {
        if (closing) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
        }
    }

    /** A new connection to the guest now running on the sandbox's slot, which becomes the sandbox's. */
    io.wrenn.hostagent.guest.GuestConnection connectGuest(Sandbox sandbox) {
        return connectGuest(sandbox, sandbox.record().envdAccessToken());
    }

    /** As {@link #connectGuest(Sandbox)}, the connection giving envd {@code accessToken} at its {@code /init}. */
    io.wrenn.hostagent.guest.GuestConnection connectGuest(Sandbox sandbox, String accessToken) {
        var guest = guests.connect(sandbox.slot().namespaceAddress(), accessToken);
        sandbox.guest(guest);
        return guest;
    }

    /** The QEMU, machine type and kernel this host's VMs run now. */
    VmBuild vmBuild() {
        return vms.build(layout.kernelImage());
    }

    /**
     * Refuses to load state saved under {@code saved} when this host cannot load it, naming what
     * differs ({@code what}: "the snapshot", "the paused sandbox").
     */
    void requireLoadable(VmBuild saved, String what) {
        java.util.List<String> differences = vmBuild().cannotLoad(saved);
        if (!differences.isEmpty()) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION,
                    what + " cannot be loaded on this host: " + String.join("; ", differences));
        }
    }

    Path qmpSocket(Sandbox sandbox) {
        return layout.sandboxQmpSocket(sandbox.id());
    }

    /** Records the phase on disk before the sandbox is in it, so a crash mid-step knows where it was. */
    void setPhase(Sandbox sandbox, Sandbox.State phase) {
        sandbox.record(sandbox.record().withPhase(phase));
        store.write(sandbox.record());
        sandbox.state(phase);
    }

    /** When a sandbox with {@code timeoutS} expires, counted from {@code nowMs}; 0 = never. */
    static long expiry(long nowMs, long timeoutS) {
        return timeoutS == 0 ? 0 : nowMs + timeoutS * 1000L;
    }
}
