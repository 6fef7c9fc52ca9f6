package io.wrenn.hostagent.vm;

import java.nio.file.Path;
import java.time.Duration;

/** Starts, watches and stops sandbox VMs. */
public interface VirtualMachines {

    /** Starts a VM in the background and returns its PID once QEMU has initialised. */
    long start(VmSpec spec);

    /**
     * Whether the process {@code pid} is alive and is the QEMU of this sandbox (its command line
     * names {@code qmpSocket}), so a recycled PID is never mistaken for a VM.
     */
    boolean isRunning(long pid, Path qmpSocket);

    /**
     * Stops the VM: QMP {@code quit}, then SIGKILL when QEMU is still there after {@code grace};
     * returns once the process is gone.
     */
    void stop(long pid, Path qmpSocket, Duration grace);

    /** SIGKILL at once and wait until the process is gone. */
    void kill(long pid, Path qmpSocket);

    /** The QEMU, machine type and kernel that VMs started now with {@code kernel} run. */
    VmBuild build(Path kernel);

    /**
     * Removes what VMs of agents that died left on the machine outside any sandbox's directory
     * (their cgroups), at agent start once its own VMs are re-adopted.
     */
    default void sweepLeftovers() {
    }

    /**
     * The QEMU to be started with {@code qmpSocket} does work nobody waits for (a warm snapshot's
     * primer): it gets a small share of the CPU while sandboxes want it. Call before {@link #start}.
     */
    default void runInBackground(Path qmpSocket) {
    }

    /**
     * Lets go of everything held for VMs yet to start (the agent stops; VMs already running keep
     * what they mapped).
     */
    default void close() {
    }

    /** Lets go of what no VM will need again (the memory of deleted templates); called every few seconds. */
    default void releaseUnused() {
    }
}
