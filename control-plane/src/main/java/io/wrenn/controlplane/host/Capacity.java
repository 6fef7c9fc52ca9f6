package io.wrenn.controlplane.host;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one host may be asked to hold, derived from the facts it reports (cpus, memory, free
 * disk), and how many boots and restores it runs at once.
 *
 * <p>A sandbox that is not stopped commits its vCPUs, memory and disk size to its host. A paused
 * one holds no CPU and no guest RAM, but its saved RAM file and disk stay on the host: it is
 * counted at half its memory (rounded up) and two thirds of its disk (rounded up).
 *
 * <ul>
 *   <li>memory: {@code (memory_mb − reservedMemoryMb) × memoryOvercommit}; 1.0 by default, since a
 *       guest that touches all its RAM must not get the host OOM-killed</li>
 *   <li>vCPUs: {@code cpu_count × vcpuOvercommit}; vCPUs are time-shared threads and an idle guest's cost nothing, so 16 by default: memory is what bounds a host</li>
 *   <li>disk: {@code (disk_free_mb − reservedDiskMb) × diskOvercommit}; disks are sparse overlays
 *       that grow only as the guest writes, so 2 by default</li>
 * </ul>
 *
 * @param startsPerHost   boots and restores one host runs at once; the rest wait in a fair queue
 * @param startQueueWait  how long a create or resume waits in that queue before it is refused (503 host_busy)
 */
public record Capacity(long reservedMemoryMb, double memoryOvercommit, double vcpuOvercommit,
                       long reservedDiskMb, double diskOvercommit, int startsPerHost, Duration startQueueWait) {

    public Capacity {
        if (reservedMemoryMb < 0 || reservedDiskMb < 0) {
            throw new IllegalArgumentException("reserved memory and disk cannot be negative");
        }
        if (!(memoryOvercommit > 0) || !(vcpuOvercommit > 0) || !(diskOvercommit > 0)) {
            throw new IllegalArgumentException("overcommit factors must be positive");
        }
        if (startsPerHost < 1) {
            throw new IllegalArgumentException("startsPerHost must be at least 1: " + startsPerHost);
        }
        Objects.requireNonNull(startQueueWait, "startQueueWait is null");
    }

    public static Capacity defaults() {
        return new Capacity(1024, 1.0, 16.0, 2048, 2.0, 2, Duration.ofSeconds(90));
    }

    public Capacity withStartsPerHost(int starts) {
        return new Capacity(reservedMemoryMb, memoryOvercommit, vcpuOvercommit, reservedDiskMb, diskOvercommit, starts,
                startQueueWait);
    }

    /** Resources a host holds or a sandbox asks for: vCPUs, memory and disk in MiB. */
    public record Load(long vcpus, long memoryMb, long diskMb) {

        public Load plus(Load other) {
            return new Load(vcpus + other.vcpus, memoryMb + other.memoryMb, diskMb + other.diskMb);
        }
    }

    /** A host's size as it last reported it; null fields were never reported. */
    public record HostFacts(Integer cpuCount, Long memoryMb, Long diskFreeMb) {
    }

    /**
     * Why {@code ask} does not fit on a host of {@code facts} that already holds
     * {@code committed}, or empty if it fits. A fact the host never reported bounds nothing.
     */
    public Optional<String> refusal(HostFacts facts, Load committed, Load ask) {
        Load after = committed.plus(ask);
        if (facts.memoryMb() != null) {
            long budget = (long) Math.floor((facts.memoryMb() - reservedMemoryMb) * memoryOvercommit);
            if (after.memoryMb() > budget) {
                return Optional.of("not enough memory: " + ask.memoryMb() + " MiB asked, "
                        + Math.max(0, budget - committed.memoryMb()) + " MiB free");
            }
        }
        if (facts.cpuCount() != null) {
            long budget = (long) Math.floor(facts.cpuCount() * vcpuOvercommit);
            if (after.vcpus() > budget) {
                return Optional.of("not enough vCPUs: " + ask.vcpus() + " asked, " + Math.max(0, budget - committed.vcpus()) + " free");
            }
        }
        if (facts.diskFreeMb() != null) {
            long budget = (long) Math.floor((facts.diskFreeMb() - reservedDiskMb) * diskOvercommit);
            if (after.diskMb() > budget) {
                return Optional.of("not enough disk: " + ask.diskMb() + " MiB asked, " + Math.max(0, budget - committed.diskMb())
                        + " MiB free");
            }
        }
        return Optional.empty();
    }
}
