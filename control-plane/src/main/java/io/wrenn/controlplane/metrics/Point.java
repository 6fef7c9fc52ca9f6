package io.wrenn.controlplane.metrics;

import java.time.Instant;

/**
 * One step of a sandbox's series: averages over the step (CPU %, memory used), the highest
 * values within it, the last disk figures and the network bytes of the whole step.
 */
record Point(Instant ts, int vcpus, float cpuPct, float cpuPctMax, long memUsedBytes, long memUsedMax, long memTotalBytes,
        long diskUsedBytes, long diskTotalBytes, long netRxBytes, long netTxBytes) {
}
