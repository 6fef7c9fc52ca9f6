package io.wrenn.hostagent.metrics;

/**
 * One sandbox's resources over one sampling period ending at {@code atMs}. Network bytes are
 * those of the period (not running totals), so samples add up over any range.
 */
public record Sample(
        long sequence,
        String sandboxId,
        String teamId,
        long atMs,
        int vcpus,
        double cpuPct,
        long memUsedBytes,
        long memTotalBytes,
        long diskUsedBytes,
        long diskTotalBytes,
        long netRxBytes,
        long netTxBytes) {

    Sample withSequence(long value) {
        return new Sample(value, sandboxId, teamId, atMs, vcpus, cpuPct, memUsedBytes, memTotalBytes, diskUsedBytes,
                diskTotalBytes, netRxBytes, netTxBytes);
    }
}
