package io.wrenn.hostagent.vm;

import java.nio.file.Path;

/** Everything needed to start one sandbox's QEMU. */
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
        Path qemuLog) {
}
