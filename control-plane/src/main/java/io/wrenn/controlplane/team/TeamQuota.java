package io.wrenn.controlplane.team;

/**
 * What one team may hold at once. Platform admins set a team's quota; what they leave unset
 * comes from the configured defaults.
 *
 * @param maxRunning          sandboxes starting, running or resuming
 * @param maxPaused           sandboxes paused or pausing (each keeps its RAM file and disk on a host)
 * @param maxDiskMb           the sum of the disk sizes of every sandbox that is not stopped
 * @param maxConcurrentBuilds template builds queued or running
 */
public record TeamQuota(int maxRunning, int maxPaused, long maxDiskMb, int maxConcurrentBuilds) {

    public TeamQuota {
        if (maxRunning < 0 || maxPaused < 0 || maxDiskMb < 0 || maxConcurrentBuilds < 0) {
            throw new IllegalArgumentException("quotas cannot be negative");
        }
    }

    public static TeamQuota defaults() {
        return new TeamQuota(20, 20, 1_048_576, 4);
    }
}
