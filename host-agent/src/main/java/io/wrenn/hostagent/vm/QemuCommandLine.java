package io.wrenn.hostagent.vm;

import io.wrenn.hostagent.net.NetworkSlot;
import java.nio.file.Path;
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
    public static final String QEMU = "qemu-system-x86_64";
    /** The descriptor a restoring QEMU reads its saved state from (see {@link VmSpec#incomingState}). */
    static final int INCOMING_FD = 3;
    /**
     * The overlay, opened read-write and read-only, as descriptor set 1: a jailed QEMU cannot open
     * it by name, and migration reopens it read-only when it hands the disk over (and back).
     */
    static final int DISK_RW_FD = 4;
    static final int DISK_RO_FD = 5;

    private QemuCommandLine() {
    }

    private static List<String> drive(VmSpec spec) {
        List<String> options = new ArrayList<>(List.of(
                "id=root", "file=/dev/fdset/1", "format=qcow2", "if=none", "cache=unsafe", "file.locking=off"));
        options.addAll(DiskRateLimit.of(spec.vcpus(), System.getenv()).driveOptions());
        return options;
    }

    /** {@link #build(VmSpec, List)} outside any cgroup. */
    public static List<String> build(VmSpec spec) {
        return build(spec, List.of());
    }

    /**
     * The argv, run inside the sandbox's namespace so that {@code tap0} is the namespace's tap,
     * joining the cgroups whose {@code cgroup.procs} files are given before QEMU runs.
     */
    public static List<String> build(VmSpec spec, List<Path> cgroupProcs) {
        // setsid: a Ctrl-C at the terminal of `wrenn up` goes to the agent, which decides the VMs'
        // fate, not straight to QEMU. Every wrapper execs, so the child's PID is QEMU's.
        List<String> argv = new ArrayList<>(List.of("setsid"));
        argv.addAll(launcher(spec, cgroupProcs));
        argv.addAll(List.of("ip", "netns", "exec", spec.namespace(), QEMU, "-M", MACHINE + ",memory-backend=mem"));
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
                "-add-fd", "fd=" + DISK_RW_FD + ",set=1,opaque=rw",
                "-add-fd", "fd=" + DISK_RO_FD + ",set=1,opaque=ro",
                // cache=unsafe: the overlay is throw-away scratch space, durability buys nothing.
                // file.locking=off: QEMU's image locks live on open file descriptions, and the
                // read-only one stays open in the descriptor set after a save, so taking the disk
                // back for writing (the source of a snapshot runs on) would conflict with itself.
                // The agent alone touches a sandbox's overlay, and only with its VM stopped.
                // The guest's disk rate is bounded by QEMU itself (see DiskRateLimit).
                "-drive", String.join(",", drive(spec)),
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
        argv.addAll(spec.jail().qemuArgs());
        return argv;
    }

    /**
     * A shell that joins the cgroups and opens the disk and the saved state, then execs the rest. Before
     * {@code ip netns exec}, which mounts a sysfs of the namespace over /sys and so hides the
     * cgroup file systems; the descriptor and the cgroups pass through the later execs.
     */
    private static List<String> launcher(VmSpec spec, List<Path> cgroupProcs) {
        StringBuilder script = new StringBuilder();
        for (Path procs : cgroupProcs) {
            script.append("echo $$ > ").append(quoted(procs)).append(" && ");
        }
        script.append("exec ").append(DISK_RW_FD).append("<> ").append(quoted(spec.disk()))
                .append(' ').append(DISK_RO_FD).append("< ").append(quoted(spec.disk())).append(" && ");
        if (spec.incoming()) {
            script.append("exec ").append(INCOMING_FD).append("< ").append(quoted(spec.incomingState())).append(" && ");
        }
        script.append("exec \"$@\"");
        return List.of("sh", "-c", script.toString(), "wrenn-qemu");
    }

    /** A path for the shell; Wrenn's own paths never hold a quote. */
    private static String quoted(Path path) {
        String text = path.toString();
        if (text.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("path holds a quote: " + text);
        }
        return "'" + text + "'";
    }
}
