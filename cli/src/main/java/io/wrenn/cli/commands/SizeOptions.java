package io.wrenn.cli.commands;

import java.util.function.IntConsumer;
import picocli.CommandLine.Option;

/** The size flags of {@code sandbox create} and {@code template build}. A picocli mixin. */
public final class SizeOptions {
    @Option(names = "--vcpus", description = "virtual CPUs") Integer vcpus;
    @Option(names = "--memory", paramLabel = "MIB", description = "memory in MiB") Integer memoryMb;
    @Option(names = "--disk", paramLabel = "MIB", description = "disk in MiB") Integer diskSizeMb;

    /** Hands each size given to its setter; sizes not given are left to the server. */
    void applyTo(IntConsumer setVcpus, IntConsumer setMemoryMb, IntConsumer setDiskSizeMb) {
        if (vcpus != null) {
            setVcpus.accept(vcpus);
        }
        if (memoryMb != null) {
            setMemoryMb.accept(memoryMb);
        }
        if (diskSizeMb != null) {
            setDiskSizeMb.accept(diskSizeMb);
        }
    }
}
