package io.wrenn.hostagent.vm;

import io.wrenn.hostagent.net.NetworkSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the QEMU {@code microvm} command line of a sandbox (the guest contract in
 * docs/ARCHITECTURE.md and the line measured in FACTS.md).
 */
public final class QemuCommandLine {

    /** The machine type every sandbox runs (recorded with saved state: see {@link VmBuild}). */
    public static final String MACHINE = "microvm";
    /** The emulator. */
    static final String QEMU = "qemu-system-x86_64";

    private QemuCommandLine() {
    }

    /** The argv, run inside the sandbox's namespace so that {@code tap0} is the namespace's tap. */
    public static List<String> build(VmSpec spec) {
        // setsid: a Ctrl-C at the terminal of `wrenn up` goes to the agent, which decides the VMs'
        // fate, not straight to QEMU. Both wrappers exec, so the child's PID is QEMU's.
        List<String> argv = new ArrayList<>(List.of("setsid", "ip", "netns", "exec", spec.namespace(),
                QEMU, "-M", MACHINE + ",memory-backend=mem"));
        argv.addAll(spec.accelerator().qemuArgs());
        argv.addAll(List.of(
                "-m", Integer.toString(spec.memoryMb()),
                // RAM is a file: shared for a sandbox's own memory (a pause saves only device
                // state), private over a snapshot template's memory (pages read on first touch,
                // clean ones shared by every sandbox of the template).
                "-object", "memory-backend-file,id=mem,size=" + spec.memoryMb() + "M,mem-path=" + spec.memoryFile()
                        + ",share=" + (spec.memoryShared() ? "on" : "off"),
                "-smp", Integer.toString(spec.vcpus()),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                // Appended (O_APPEND), so that ConsoleLog can empty it under a running QEMU.
                "-chardev", "file,id=console,append=on,path=" + spec.serialLog(),
                "-serial", "chardev:console",
                "-kernel", spec.kernel().toString(),
                "-initrd", spec.initrd().toString(),
                "-append", spec.kernelArgs(),
                // cache=unsafe: the overlay is throw-away scratch space, durability buys nothing.
                "-drive", "id=root,file=" + spec.disk() + ",format=qcow2,if=none,cache=unsafe",
                "-device", "virtio-blk-device,drive=root",
                "-netdev", "tap,id=n0,ifname=" + NetworkSlot.TAP_NAME + ",script=no,downscript=no",
                "-device", "virtio-net-device,netdev=n0,mac=" + NetworkSlot.GUEST_MAC,
                "-qmp", "unix:" + spec.qmpSocket() + ",server=on,wait=off",
                // Not daemonized: QEMU stays the agent's child so the JVM reaps it (a daemon is
                // reparented to PID 1, which in a container may never reap it). It still outlives
                // a crash of the agent, which then re-adopts it by the pid file.
                "-pidfile", spec.pidFile().toString()));
        if (spec.incoming()) {
            argv.addAll(List.of("-incoming", "defer"));
        }
        return argv;
    }
}
