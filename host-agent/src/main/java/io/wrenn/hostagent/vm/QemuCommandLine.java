package io.wrenn.hostagent.vm;

import io.wrenn.hostagent.net.NetworkSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the QEMU {@code microvm} command line of a sandbox (the guest contract in
 * docs/ARCHITECTURE.md and the line measured in FACTS.md).
 */
public final class QemuCommandLine {

    private QemuCommandLine() {
    }

    /** The argv, run inside the sandbox's namespace so that {@code tap0} is the namespace's tap. */
    public static List<String> build(VmSpec spec) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", spec.namespace(),
                "qemu-system-x86_64", "-M", "microvm"));
        argv.addAll(spec.accelerator().qemuArgs());
        argv.addAll(List.of(
                "-m", Integer.toString(spec.memoryMb()),
                "-smp", Integer.toString(spec.vcpus()),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-serial", "file:" + spec.serialLog(),
                "-kernel", spec.kernel().toString(),
                "-initrd", spec.initrd().toString(),
                "-append", spec.kernelArgs(),
                // cache=unsafe: the overlay is throw-away scratch space, durability buys nothing.
                "-drive", "id=root,file=" + spec.disk() + ",format=qcow2,if=none,cache=unsafe",
                "-device", "virtio-blk-device,drive=root",
                "-netdev", "tap,id=n0,ifname=" + NetworkSlot.TAP_NAME + ",script=no,downscript=no",
                "-device", "virtio-net-device,netdev=n0,mac=" + NetworkSlot.GUEST_MAC,
                "-qmp", "unix:" + spec.qmpSocket() + ",server=on,wait=off",
                // Daemonized, QEMU is nobody's child: it outlives a crash of the agent, which then
                // re-adopts it by the pid file.
                "-daemonize", "-pidfile", spec.pidFile().toString()));
        return argv;
    }
}
