package io.wrenn.hostagent.vm;

import java.nio.file.Path;

/**
 * Everything needed to start one sandbox's QEMU.
 *
 * @param memoryFile   the file that backs guest RAM
 * @param memoryShared true: QEMU maps {@code memoryFile} shared, so the file is the RAM (a
 *                     sandbox's own memory); false: privately, copy-on-write (a snapshot
 *                     template's memory, read lazily and shared by every sandbox made from it)
 * @param incoming     start with {@code -incoming defer}: the VM waits for a saved state
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
        boolean incoming) {
}
