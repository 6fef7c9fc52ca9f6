package io.wrenn.hostagent.metrics;

import tools.jackson.databind.JsonNode;

/**
 * What only the guest can tell: memory and root-disk use. Read from envd's {@code /metrics},
 * which a tenant (root in the guest) controls, so every value is checked and clamped to what the
 * sandbox was given: a lying guest can misstate only its own use, within its own limits.
 */
record GuestFigures(long memUsedBytes, long memTotalBytes, long diskUsedBytes, long diskTotalBytes) {

    static final GuestFigures UNKNOWN = new GuestFigures(0, 0, 0, 0);

    /**
     * The figures in {@code reply}, clamped: totals to at most the sandbox's memory and disk
     * (with a tenth more for the disk's filesystem rounding), used to at most the total, anything
     * not a non-negative integer to 0.
     */
    static GuestFigures from(JsonNode reply, long memoryLimitBytes, long diskLimitBytes) {
        long memTotal = clamp(reply.path("mem_total"), memoryLimitBytes);
        long memUsed = clamp(reply.path("mem_used"), memTotal);
        long diskTotal = clamp(reply.path("disk_total"), diskLimitBytes + diskLimitBytes / 10);
        long diskUsed = clamp(reply.path("disk_used"), diskTotal);
        return new GuestFigures(memUsed, memTotal, diskUsed, diskTotal);
    }

    private static long clamp(JsonNode value, long max) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            return 0;
        }
        return Math.clamp(value.asLong(), 0, Math.max(0, max));
    }
}
