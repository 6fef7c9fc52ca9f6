package io.wrenn.hostagent.vm;

import java.nio.file.Path;

/**
 * Everything needed to start one sandbox's QEMU.
 *
 * @param memoryFile   the file that backs guest RAM
 * @param memoryShared true: QEMU maps {@code memoryFile} shared, so the file is the RAM (a
 *                     sandbox's own memory); false: privately, copy-on-write (a snapshot
 *                     template's memory, read lazily and shared by every sandbox made from it)
 * @param incomingState null: boot; otherwise the saved state the VM waits for ({@code -incoming
 *                     defer}), opened before QEMU starts and inherited as descriptor
 *                     {@link QemuCommandLine#INCOMING_FD} (a jailed QEMU cannot open it itself)
 * @param jail         the unprivileged identity and the empty root QEMU drops to once set up
 */
public record VmSpec(
        String namespace,
        Path kernel,
        Path initrd,
        String kernelArgs,
        Path disk,
        int vcpus,
        int memoryMb,
        Accelerator accelerator,
        Path qmpSocket,
        Path serialLog,
        Path pidFile,
        Path qemuLog,
        Path memoryFile,
        boolean memoryShared,
        Path incomingState,
        QemuJail jail) {

    /** This spec with its RAM backed by {@code file} instead. */
    public VmSpec withMemoryFile(Path file) {
        return new VmSpec(namespace, kernel, initrd, kernelArgs, disk, vcpus, memoryMb, accelerator, qmpSocket, serialLog,
                pidFile, qemuLog, file, memoryShared, incomingState, jail);
    }

    /** Whether the VM waits for a saved state instead of booting. */
    public boolean incoming() {
        return incomingState != null;
    }
}
