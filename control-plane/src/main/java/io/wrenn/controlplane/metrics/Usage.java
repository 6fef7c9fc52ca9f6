package io.wrenn.controlplane.metrics;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a team, host or the platform holds and uses: running and paused sandboxes, reserved vCPUs
 * and memory (a paused sandbox reserves half its memory, rounded up, and no vCPU), and the vCPUs
 * (CPU % × vCPUs) and memory its running sandboxes use.
 */
record Usage(long running, long paused, long vcpusReserved, long memoryMbReserved, double vcpusUsed, long memoryUsedBytes) {

    static Usage of(ResultSet rs) throws SQLException {
        return new Usage(rs.getLong("running"), rs.getLong("paused"), rs.getLong("vcpus_reserved"),
                rs.getLong("memory_mb_reserved"), Math.round(rs.getDouble("vcpus_used") * 100) / 100.0,
                rs.getLong("memory_used_bytes"));
    }

    /** Each kind's higher value of the two. */
    Usage max(Usage other) {
        return new Usage(Math.max(running, other.running), Math.max(paused, other.paused),
                Math.max(vcpusReserved, other.vcpusReserved), Math.max(memoryMbReserved, other.memoryMbReserved),
                Math.max(vcpusUsed, other.vcpusUsed), Math.max(memoryUsedBytes, other.memoryUsedBytes));
    }

    java.util.Map<String, Object> json() {
        var json = new java.util.LinkedHashMap<String, Object>();
        json.put("running", running);
        json.put("paused", paused);
        json.put("vcpus_reserved", vcpusReserved);
        json.put("memory_mb_reserved", memoryMbReserved);
        json.put("vcpus_used", vcpusUsed);
        json.put("memory_used_bytes", memoryUsedBytes);
        return json;
    }
}
