package io.wrenn.cli;

import io.wrenn.hostagent.disk.QemuImgDisks;
import io.wrenn.hostagent.guest.EnvdClient;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.EgressSettings;
import io.wrenn.hostagent.net.ForwardingLease;
import io.wrenn.hostagent.net.HostEgress;
import io.wrenn.hostagent.net.NamespaceNetwork;
import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.os.ProcessCommandRunner;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.GuestKernelArgs;
import io.wrenn.hostagent.vm.QmpVmControl;
import io.wrenn.hostagent.vm.QemuVirtualMachines;
import io.wrenn.hostagent.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * QEMU restores of a snapshot template's files with none of Wrenn around them: the floor a
 * create-from-snapshot is measured against, and the plain-stream restore whose memory the lazy
 * path is compared with. Each VM gets a namespace of its own with the usual tap, on slots at
 * the top of the range so that they do not meet the agent's.
 */
final class SnapshotBench implements AutoCloseable {

    private final Layout layout;
    private final Path work;
    private final ProcessCommandRunner commands = new ProcessCommandRunner();
    private final HostEgress egress;
    private final NamespaceNetwork network;
    private final QemuVirtualMachines vms = new QemuVirtualMachines(commands);
    private final QemuImgDisks disks = new QemuImgDisks(commands);
    private final QmpVmControl control = new QmpVmControl(io.wrenn.hostagent.protocol.Deadlines.DEFAULTS.stateTransfer());
    private final List<Bare> running = new ArrayList<>();
    private int nextSlot = NetworkSlot.MAX;

    /** One bare VM: its namespace, slot, pid and files. */
    record Bare(String namespace, NetworkSlot slot, long pid, Path dir, Path qmp) {
    }

    SnapshotBench(Layout layout) throws IOException {
        this.layout = layout;
        this.work = Files.createTempDirectory(layout.home(), "bench-");
        this.egress = new HostEgress(commands, EgressSettings.forThisHost(null, null, List.of()),
                ForwardingLease.forThisMachine(), work);
        egress.start();
        this.network = new NamespaceNetwork(commands, egress);
    }

    /**
     * Starts a VM from {@code state} and returns once envd answers /health. {@code memory} is
     * mapped privately (a template's, lazy) or, when {@code ownMemory}, a fresh file of its own
     * into which a full stream is loaded.
     */
    Bare restore(Path templateDisk, long diskMb, Path memory, Path state, boolean ownMemory, int vcpus, int memoryMb) {
        NetworkSlot slot;
        do {
            slot = new NetworkSlot(nextSlot--);
        } while (network.hostVethExists(slot.number()));
        String namespace = "wrenn-bench" + Integer.toHexString(slot.number());
        Path dir = work.resolve(namespace);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        network.create(namespace, slot, NetworkPolicy.OPEN);
        Path disk = dir.resolve("disk.qcow2");
        disks.createOverlay(templateDisk, disk, diskMb);
        Path qmp = dir.resolve("qmp.sock");
        Path ram = ownMemory ? dir.resolve("memory") : memory;
        VmSpec spec = new VmSpec(namespace, layout.kernelImage(), layout.initrdImage(),
                GuestKernelArgs.forAccelerator(Accelerator.TCG), disk, vcpus, memoryMb, Accelerator.TCG, qmp,
                dir.resolve("serial.log"), dir.resolve("qemu.pid"), dir.resolve("qemu.log"), ram, ownMemory, state,
                io.wrenn.hostagent.vm.QemuJail.forSlot(slot.number(), qmp));
        long pid = vms.start(spec);
        Bare bare = new Bare(namespace, slot, pid, dir, qmp);
        running.add(bare);
        control.load(qmp, state, !ownMemory);
        control.cont(qmp);
        try (EnvdClient envd = new EnvdClient(slot.namespaceAddress(), null)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!envd.health(Duration.ofMillis(500))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a bare restore did not answer");
                }
                Thread.onSpinWait();
            }
        }
        return bare;
    }

    /** Saves a running bare VM's whole RAM and devices as one plain stream. */
    Path saveFullStream(Bare bare) {
        Path stream = work.resolve("full.stream");
        control.stop(bare.qmp());
        control.save(bare.qmp(), stream, false);
        return stream;
    }

    void destroy(Bare bare) {
        vms.kill(bare.pid(), bare.qmp());
        network.delete(bare.namespace(), bare.slot());
        running.remove(bare);
    }

    /** Proportional set size of a process in MiB ({@code /proc/<pid>/smaps_rollup}). */
    static double pssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no Pss for " + pid);
    }

    @Override
    public void close() throws IOException {
        for (Bare bare : List.copyOf(running)) {
            try {
                destroy(bare);
            } catch (RuntimeException e) {
                System.err.println("could not remove bare VM " + bare.namespace() + ": " + e.getMessage());
            }
        }
        egress.close();
        try (var paths = Files.walk(work)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }
}
