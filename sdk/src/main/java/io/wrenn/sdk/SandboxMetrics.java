package io.wrenn.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A sandbox's measured series over a range: one point per step, oldest first. It outlives the
 * sandbox's pause and destroy (kept 30 days).
 *
 * @param sandboxId its id
 * @param start     start of the range
 * @param end       end of the range
 * @param step      length of each step (5 s up to 2 h, 1 min up to a day, 1 h beyond)
 * @param points    every step of the range; a step without a sample has null values
 */
public record SandboxMetrics(String sandboxId, Instant start, Instant end, Duration step, List<Point> points) {
    public SandboxMetrics {
        points = List.copyOf(points);
    }

    /**
     * One step: averages over it, its highest values, the last disk figures and the network
     * bytes of the whole step; every value is null when nothing was measured in it.
     *
     * @param timestamp       start of the step
     * @param cpuPct          CPU % of the sandbox's vCPUs (0–100), averaged
     * @param cpuPctMax       the highest CPU % sampled
     * @param memUsedBytes    memory in use in the guest, averaged
     * @param memUsedMaxBytes the most memory in use sampled
     * @param memTotalBytes   the guest's memory
     * @param diskUsedBytes   disk in use
     * @param diskTotalBytes  disk size
     * @param netRxBytes      bytes received in the step
     * @param netTxBytes      bytes sent in the step
     */
    public record Point(Instant timestamp, Double cpuPct, Double cpuPctMax, Long memUsedBytes, Long memUsedMaxBytes,
                        Long memTotalBytes, Long diskUsedBytes, Long diskTotalBytes, Long netRxBytes, Long netTxBytes) {
        /** Whether anything was measured in this step. */
        public boolean measured() {
            return cpuPct != null;
        }
    }
}
