package io.wrenn.hostagent.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The counters the host reads for a VM without asking the guest: QEMU's CPU time (all its
 * threads, {@code /proc/PID/stat} utime + stime, in clock ticks) and the bytes through the host
 * end of the sandbox's veth pair ({@code /sys/class/net/IF/statistics}). Each read is one small
 * file of the kernel's, no process started.
 */
final class HostCounters {

    /** USER_HZ: the unit of {@code /proc/PID/stat} times, 100 on every Linux architecture Wrenn runs on. */
    static final int CLOCK_TICKS_PER_SECOND = 100;

    private final Path proc;
    private final Path sysClassNet;

    HostCounters(Path proc, Path sysClassNet) {
        this.proc = proc;
        this.sysClassNet = sysClassNet;
    }

    static HostCounters system() {
        return new HostCounters(Path.of("/proc"), Path.of("/sys/class/net"));
    }

    /** utime + stime of process {@code pid}, in clock ticks; -1 when it is gone or unreadable. */
    long cpuTicks(long pid) {
        try {
            String stat = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count from after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 14);
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A byte counter of a host interface ({@code rx_bytes} or {@code tx_bytes}); -1 when unreadable. */
    long interfaceBytes(String iface, String counter) {
        try {
            return Long.parseLong(Files.readString(sysClassNet.resolve(iface).resolve("statistics").resolve(counter)).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
