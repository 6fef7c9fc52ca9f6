package io.wrenn.hostagent.vm;

import java.util.List;
import java.util.Map;

/**
 * The rate a guest may read and write its disk, applied by QEMU to the drive (a token bucket: a
 * sustained rate and a burst above it), so that one guest hammering its disk cannot starve the
 * others. Cgroup I/O weights are not enough for that: they need a v2 hierarchy with a
 * proportional I/O controller, and on a v1 host (as here) buffered writes escape blkio entirely.
 * QEMU's limits hold on every host, whatever the kernel offers.
 *
 * <p>Sized per vCPU, like the CPU weight: {@code WRENN_DISK_MBPS_PER_VCPU} (MiB/s, default 100)
 * and {@code WRENN_DISK_IOPS_PER_VCPU} (default 2000); 0 lifts that limit. Bursts reach
 * {@link #BURST_FACTOR} times the rate for up to {@link #BURST_SECONDS} seconds.
 *
 * @param bytesPerSecond sustained bytes per second, reads and writes together (0: none)
 * @param opsPerSecond   sustained operations per second, reads and writes together (0: none)
 */
public record DiskRateLimit(long bytesPerSecond, long opsPerSecond) {

    static final String MBPS_VARIABLE = "WRENN_DISK_MBPS_PER_VCPU";
    static final String IOPS_VARIABLE = "WRENN_DISK_IOPS_PER_VCPU";
    static final long DEFAULT_MBPS_PER_VCPU = 100;
    static final long DEFAULT_IOPS_PER_VCPU = 2000;
    static final int BURST_FACTOR = 4;
    static final int BURST_SECONDS = 10;

    public DiskRateLimit {
        if (bytesPerSecond < 0 || opsPerSecond < 0) {
            throw new IllegalArgumentException("disk rates are not negative");
        }
    }

    /** The limit of a guest with {@code vcpus} vCPUs under the operator's settings in {@code environment}. */
    public static DiskRateLimit of(int vcpus, Map<String, String> environment) {
        long mbps = perVcpu(environment, MBPS_VARIABLE, DEFAULT_MBPS_PER_VCPU);
        long iops = perVcpu(environment, IOPS_VARIABLE, DEFAULT_IOPS_PER_VCPU);
        return new DiskRateLimit(Math.multiplyExact(mbps << 20, vcpus), Math.multiplyExact(iops, vcpus));
    }

    /** Fails at start-up on a setting that is not a whole number from 0. */
    public static void check(Map<String, String> environment) {
        of(1, environment);
    }

    private static long perVcpu(Map<String, String> environment, String variable, long fallback) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= 0 && parsed <= 1_000_000) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new IllegalArgumentException(variable + " must be a whole number from 0 to 1000000, not " + value);
    }

    /** The {@code -drive} options that set this limit ({@code throttling.*}); none for no limit. */
    List<String> driveOptions() {
        List<String> options = new java.util.ArrayList<>();
        if (bytesPerSecond > 0) {
            options.add("throttling.bps-total=" + bytesPerSecond);
            options.add("throttling.bps-total-max=" + bytesPerSecond * BURST_FACTOR);
            options.add("throttling.bps-total-max-length=" + BURST_SECONDS);
        }
        if (opsPerSecond > 0) {
            options.add("throttling.iops-total=" + opsPerSecond);
            options.add("throttling.iops-total-max=" + opsPerSecond * BURST_FACTOR);
            options.add("throttling.iops-total-max-length=" + BURST_SECONDS);
        }
        return options;
    }
}
