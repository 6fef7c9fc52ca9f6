package io.wrenn.envd.init;

import com.sun.net.httpserver.HttpExchange;
import io.wrenn.envd.http.HttpResponses;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code GET /metrics}: CPU count and use, memory and root-disk use of the guest, read from /proc
 * and the root file store. CPU use is measured between two calls (the first reports 0).
 */
public final class HostMetrics {
    private long lastBusy;
    private long lastTotal;

    public void handle(HttpExchange exchange) throws IOException {
        var json = new LinkedHashMap<String, Object>();
        json.put("ts", System.currentTimeMillis() / 1000);
        json.put("cpu_count", Runtime.getRuntime().availableProcessors());
        json.put("cpu_used_pct", cpuUsedPercent());
        long memTotal = meminfo("MemTotal:");
        long memAvailable = meminfo("MemAvailable:");
        json.put("mem_total", memTotal);
        json.put("mem_used", Math.max(0, memTotal - memAvailable));
        try {
            FileStore root = Files.getFileStore(Path.of("/"));
            json.put("disk_total", root.getTotalSpace());
            json.put("disk_used", root.getTotalSpace() - root.getUnallocatedSpace());
        } catch (IOException e) {
            json.put("disk_total", 0);
            json.put("disk_used", 0);
        }
        HttpResponses.json(exchange, 200, json);
    }

    private synchronized double cpuUsedPercent() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            long busy = total - idle;
            double pct = lastTotal == 0 || total == lastTotal ? 0 : 100.0 * (busy - lastBusy) / (total - lastTotal);
            lastBusy = busy;
            lastTotal = total;
            return Math.round(pct * 100) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A /proc/meminfo value in bytes. */
    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 0;
    }
}
