package io.wrenn.hostagent.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Capacity figures of this machine for {@code GetHostInfo} (and the bench). */
public final class HostFacts {

    private HostFacts() {
    }

    static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** MemTotal from /proc/meminfo, in MiB. */
    static long memoryMb() {
        return meminfoMb("MemTotal");
    }

    /** A field of /proc/meminfo ({@code MemTotal}, {@code MemAvailable}, ...) in MiB; 0 when it cannot be read. */
    public static long meminfoMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 0;
    }

    /** Usable space on the file system holding {@code dir} (or its closest existing parent), in MiB. */
    static long diskFreeMb(Path dir) {
        Path probe = dir;
        while (probe != null && !Files.exists(probe)) {
            probe = probe.getParent();
        }
        try {
            return probe == null ? 0 : Files.getFileStore(probe).getUsableSpace() >> 20;
        } catch (IOException e) {
            return 0;
        }
    }
}
