package io.wrenn.controlplane.metrics;

import io.wrenn.hostagent.protocol.MetricSample;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The metrics tables: sandbox points in tiers, team usage samples and the sampler's ticks. */
final class MetricsStore {

    /** The origin every step is counted from, so buckets of one step line up in every query. */
    private static final String ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

    /**
     * What the sandboxes {@code s} (each joined to its newest fine point {@code u}) hold and use:
     * a starting, running, pausing, resuming or unknown sandbox reserves its vCPUs and memory, a
     * paused one half its memory rounded up and no vCPU; use is that of the running ones.
     */
    private static final String USAGE_COLUMNS = """
                   count(*) FILTER (WHERE s.status = 'running') AS running,
                   count(*) FILTER (WHERE s.status = 'paused') AS paused,
                   coalesce(sum(s.vcpus) FILTER (WHERE s.status IN ('starting', 'running', 'pausing', 'resuming', 'unknown')), 0) AS vcpus_reserved,
                   coalesce(sum(s.memory_mb) FILTER (WHERE s.status IN ('starting', 'running', 'pausing', 'resuming', 'unknown')), 0)
                     + coalesce(sum((s.memory_mb + 1) / 2) FILTER (WHERE s.status = 'paused'), 0) AS memory_mb_reserved,
                   coalesce(sum(u.cpu_pct * u.vcpus / 100.0), 0) AS vcpus_used,
                   coalesce(sum(u.mem_used_bytes), 0) AS memory_used_bytes
            """;
    /** The states in which a sandbox holds anything. */
    private static final String HOLDING = "('starting', 'running', 'pausing', 'paused', 'resuming', 'unknown')";
    /** Joins each sandbox {@code s} to its newest fine point under 30 s old, when it runs. */
    private static final String NEWEST_POINT = """
            LEFT JOIN LATERAL (
                SELECT p.cpu_pct, p.vcpus, p.mem_used_bytes FROM sandbox_metric_points p
                WHERE p.sandbox_id = s.id AND p.tier = 0 AND p.ts > now() - interval '30 seconds'
                ORDER BY p.ts DESC LIMIT 1) u ON s.status = 'running'
            """;
    /** What each team holding anything holds and uses now (to be grouped by {@code s.team_id}). */
    private static final String USAGE_NOW = "SELECT s.team_id, " + USAGE_COLUMNS + " FROM sandboxes s " + NEWEST_POINT
            + " WHERE s.status IN " + HOLDING + " ";

    private final Jdbi jdbi;

    MetricsStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Stores a host's samples as tier-0 points in one batch. A sample counts only for a sandbox
     * whose row places it on that host: the team comes from the row, never from the host, and a
     * sample already stored (a re-read after a restart) is skipped.
     */
    int insertSamples(UUID hostId, List<MetricSample> samples) {
        if (samples.isEmpty()) {
            return 0;
        }
        return jdbi.inTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO sandbox_metric_points (sandbox_id, team_id, host_id, tier, ts, samples, vcpus,
                        cpu_pct, cpu_pct_max, mem_used_bytes, mem_used_max, mem_total_bytes, disk_used_bytes,
                        disk_total_bytes, net_rx_bytes, net_tx_bytes)
                    SELECT s.id, s.team_id, s.host_id, 0, date_bin('5 seconds', :at, %s), 1, :vcpus,
                        :cpu, :cpu, :memUsed, :memUsed, :memTotal, :diskUsed, :diskTotal, :rx, :tx
                    FROM sandboxes s WHERE s.id = :sandbox AND s.host_id = :host
                    ON CONFLICT (sandbox_id, tier, ts) DO NOTHING""".formatted(ORIGIN));
            for (MetricSample sample : samples) {
                UUID sandbox;
                try {
                    sandbox = UUID.fromString(sample.getSandboxId());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                batch.bind("sandbox", sandbox)
                        .bind("host", hostId)
                        .bind("at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(sample.getAtMs()), ZoneOffset.UTC))
                        .bind("vcpus", sample.getVcpus())
                        .bind("cpu", (float) Math.clamp(sample.getCpuPct(), 0.0, 100.0))
                        .bind("memUsed", nonNegative(sample.getMemUsedBytes()))
                        .bind("memTotal", nonNegative(sample.getMemTotalBytes()))
                        .bind("diskUsed", nonNegative(sample.getDiskUsedBytes()))
                        .bind("diskTotal", nonNegative(sample.getDiskTotalBytes()))
                        .bind("rx", nonNegative(sample.getNetRxBytes()))
                        .bind("tx", nonNegative(sample.getNetTxBytes()))
                        .add();
            }
            int stored = 0;
            for (int count : batch.execute()) {
                stored += count;
            }
            return stored;
        });
    }

    private static long nonNegative(long value) {
        return Math.max(0, value);
    }

    /**
     * Recomputes the roll-up points of {@code to} from {@code from}'s points of the last
     * {@code window} (whole steps of {@code to}, so a bucket is always built from all its rows;
     * points arriving late are counted on the next pass).
     */
    void rollUp(Tier from, Tier to, Duration window) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO sandbox_metric_points (sandbox_id, team_id, host_id, tier, ts, samples, vcpus,
                            cpu_pct, cpu_pct_max, mem_used_bytes, mem_used_max, mem_total_bytes, disk_used_bytes,
                            disk_total_bytes, net_rx_bytes, net_tx_bytes)
                        SELECT sandbox_id, team_id, (array_agg(host_id ORDER BY ts DESC))[1], :toTier,
                            date_bin(CAST(:step AS interval), ts, %1$s) AS bucket, sum(samples), max(vcpus),
                            sum(cpu_pct * samples) / sum(samples), max(cpu_pct_max),
                            sum(mem_used_bytes * samples) / sum(samples), max(mem_used_max), max(mem_total_bytes),
                            (array_agg(disk_used_bytes ORDER BY ts DESC))[1], max(disk_total_bytes),
                            sum(net_rx_bytes), sum(net_tx_bytes)
                        FROM sandbox_metric_points
                        WHERE tier = :fromTier
                          AND ts >= date_bin(CAST(:step AS interval), now() - CAST(:window AS interval), %1$s)
                        GROUP BY sandbox_id, team_id, bucket
                        ON CONFLICT (sandbox_id, tier, ts) DO UPDATE SET samples = excluded.samples,
                            host_id = excluded.host_id, vcpus = excluded.vcpus, cpu_pct = excluded.cpu_pct,
                            cpu_pct_max = excluded.cpu_pct_max, mem_used_bytes = excluded.mem_used_bytes,
                            mem_used_max = excluded.mem_used_max, mem_total_bytes = excluded.mem_total_bytes,
                            disk_used_bytes = excluded.disk_used_bytes, disk_total_bytes = excluded.disk_total_bytes,
                            net_rx_bytes = excluded.net_rx_bytes, net_tx_bytes = excluded.net_tx_bytes""".formatted(ORIGIN))
                .bind("fromTier", from.id)
                .bind("toTier", to.id)
                .bind("step", interval(to.step))
                .bind("window", interval(window))
                .execute());
    }

    /** Deletes every point older than its tier keeps, and usage samples older than 30 days. */
    int prune() {
        return jdbi.inTransaction(h -> {
            int deleted = 0;
            for (Tier tier : Tier.values()) {
                deleted += h.createUpdate("DELETE FROM sandbox_metric_points WHERE tier = :tier AND ts < now() - CAST(:kept AS interval)")
                        .bind("tier", tier.id).bind("kept", interval(tier.kept)).execute();
            }
            deleted += h.createUpdate("DELETE FROM team_usage_samples WHERE ts < now() - interval '30 days'").execute();
            deleted += h.createUpdate("DELETE FROM usage_sampler_ticks WHERE ts < now() - interval '30 days'").execute();
            return deleted;
        });
    }

    /**
     * Writes this 10-second step's tick and one usage row per team holding anything, unless
     * another control plane already did (the tick's key decides). Returns whether this call wrote.
     */
    boolean sampleUsage() {
        return jdbi.inTransaction(h -> {
            Instant tick = h.createQuery("INSERT INTO usage_sampler_ticks (ts) VALUES (date_bin('10 seconds', now(), %s)) ON CONFLICT DO NOTHING RETURNING ts".formatted(ORIGIN))
                    .mapTo(Instant.class).findOne().orElse(null);
            if (tick == null) {
                return false;
            }
            h.createUpdate("""
                            INSERT INTO team_usage_samples (team_id, ts, running, paused, vcpus_reserved,
                                memory_mb_reserved, vcpus_used, memory_used_bytes)
                            SELECT team_id, :ts, running, paused, vcpus_reserved, memory_mb_reserved, vcpus_used, memory_used_bytes
                            FROM (%s GROUP BY s.team_id) usage
                            ON CONFLICT DO NOTHING""".formatted(USAGE_NOW))
                    .bind("ts", OffsetDateTime.ofInstant(tick, ZoneOffset.UTC))
                    .execute();
            return true;
        });
    }

    /** What {@code teamId} holds and uses now (null: the whole platform). */
    Usage usageNow(UUID teamId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT coalesce(sum(running), 0) AS running, coalesce(sum(paused), 0) AS paused,
                               coalesce(sum(vcpus_reserved), 0) AS vcpus_reserved,
                               coalesce(sum(memory_mb_reserved), 0) AS memory_mb_reserved,
                               coalesce(sum(vcpus_used), 0) AS vcpus_used,
                               coalesce(sum(memory_used_bytes), 0) AS memory_used_bytes
                        FROM (%s AND (CAST(:team AS uuid) IS NULL OR s.team_id = CAST(:team AS uuid)) GROUP BY s.team_id) usage""".formatted(USAGE_NOW))
                .bind("team", teamId)
                .map((rs, ctx) -> Usage.of(rs))
                .one());
    }

    /** The platform's sandboxes by state (stopped ones too: rows are kept). */
    Map<io.wrenn.controlplane.sandbox.SandboxStatus, Long> countByStatus() {
        Map<io.wrenn.controlplane.sandbox.SandboxStatus, Long> counts = new java.util.EnumMap<>(io.wrenn.controlplane.sandbox.SandboxStatus.class);
        jdbi.useHandle(h -> h.createQuery("SELECT status, count(*) AS n FROM sandboxes GROUP BY status")
                .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getLong("n")))
                .forEach(entry -> io.wrenn.controlplane.sandbox.SandboxStatus.parse(entry.getKey())
                        .ifPresent(status -> counts.put(status, entry.getValue()))));
        return counts;
    }

    /** Template builds waiting for a builder and running now. */
    Map<String, Long> buildsByStatus() {
        Map<String, Long> counts = new java.util.HashMap<>(Map.of("queued", 0L, "running", 0L));
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT status, count(*) AS n FROM template_builds
                        WHERE status IN ('queued', 'running') GROUP BY status""")
                .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getLong("n")))
                .forEach(entry -> counts.put(entry.getKey(), entry.getValue())));
        return counts;
    }

    /** What each host holds and uses now, with its capacity. */
    List<HostUsage> hostsNow() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT hs.id, hs.name, hs.status, hs.accelerator, coalesce(hs.cpu_count, 0) AS cpu_count,
                               coalesce(hs.memory_mb, 0) AS memory_mb, %s
                        FROM hosts hs
                        LEFT JOIN sandboxes s ON s.host_id = hs.id AND s.status IN %s
                        %s
                        GROUP BY hs.id, hs.name, hs.status, hs.accelerator, hs.cpu_count, hs.memory_mb
                        ORDER BY hs.name""".formatted(USAGE_COLUMNS, HOLDING, NEWEST_POINT))
                .map((rs, ctx) -> new HostUsage(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getString("status"), rs.getString("accelerator"), rs.getInt("cpu_count"),
                        rs.getLong("memory_mb"), Usage.of(rs)))
                .list());
    }

    /** The highest usage of each kind over the last 30 days (null team: the platform, summed per step). */
    Usage peaks(UUID teamId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT coalesce(max(running), 0) AS running, coalesce(max(paused), 0) AS paused,
                               coalesce(max(vcpus_reserved), 0) AS vcpus_reserved,
                               coalesce(max(memory_mb_reserved), 0) AS memory_mb_reserved,
                               coalesce(max(vcpus_used), 0) AS vcpus_used,
                               coalesce(max(memory_used_bytes), 0) AS memory_used_bytes
                        FROM (SELECT ts, sum(running) AS running, sum(paused) AS paused,
                                     sum(vcpus_reserved) AS vcpus_reserved, sum(memory_mb_reserved) AS memory_mb_reserved,
                                     sum(vcpus_used) AS vcpus_used, sum(memory_used_bytes) AS memory_used_bytes
                              FROM team_usage_samples
                              WHERE ts > now() - interval '30 days' AND (CAST(:team AS uuid) IS NULL OR team_id = CAST(:team AS uuid))
                              GROUP BY ts) per_step""")
                .bind("team", teamId)
                .map((rs, ctx) -> Usage.of(rs))
                .one());
    }

    /**
     * The usage series of a team (null: the platform) over {@code range} in steps of {@code step}:
     * the highest value of each kind within each step. A step in which the sampler ran but the
     * team held nothing is zeros; one in which it never ran is absent from the map (a gap).
     */
    Map<Instant, Usage> usageSeries(UUID teamId, TimeRange range, Duration step) {
        Map<Instant, Usage> series = new java.util.LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT date_bin(CAST(:step AS interval), t.ts, %s) AS bucket,
                               max(coalesce(x.running, 0)) AS running, max(coalesce(x.paused, 0)) AS paused,
                               max(coalesce(x.vcpus_reserved, 0)) AS vcpus_reserved,
                               max(coalesce(x.memory_mb_reserved, 0)) AS memory_mb_reserved,
                               max(coalesce(x.vcpus_used, 0)) AS vcpus_used,
                               max(coalesce(x.memory_used_bytes, 0)) AS memory_used_bytes
                        FROM usage_sampler_ticks t
                        LEFT JOIN (SELECT ts, sum(running) AS running, sum(paused) AS paused,
                                          sum(vcpus_reserved) AS vcpus_reserved, sum(memory_mb_reserved) AS memory_mb_reserved,
                                          sum(vcpus_used) AS vcpus_used, sum(memory_used_bytes) AS memory_used_bytes
                                   FROM team_usage_samples
                                   WHERE ts >= :start AND ts <= :end AND (CAST(:team AS uuid) IS NULL OR team_id = CAST(:team AS uuid))
                                   GROUP BY ts) x ON x.ts = t.ts
                        WHERE t.ts >= :start AND t.ts <= :end
                        GROUP BY bucket ORDER BY bucket""".formatted(ORIGIN))
                .bind("step", interval(step))
                .bind("start", OffsetDateTime.ofInstant(floor(range.start(), step), ZoneOffset.UTC))
                .bind("end", OffsetDateTime.ofInstant(range.end(), ZoneOffset.UTC))
                .bind("team", teamId)
                .map((rs, ctx) -> Map.entry(rs.getObject("bucket", OffsetDateTime.class).toInstant(), Usage.of(rs)))
                .forEach(entry -> series.put(entry.getKey(), entry.getValue())));
        return series;
    }

    private static final String POINT_COLUMNS = """
            ts, cpu_pct, cpu_pct_max, mem_used_bytes, mem_used_max, mem_total_bytes,
            disk_used_bytes, disk_total_bytes, net_rx_bytes, net_tx_bytes, vcpus""";

    /** One sandbox's points of {@code tier} in {@code range}, by the start of their step. */
    Map<Instant, Point> sandboxPoints(UUID sandboxId, Tier tier, TimeRange range) {
        Map<Instant, Point> points = new java.util.LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT " + POINT_COLUMNS + """

                        FROM sandbox_metric_points
                        WHERE sandbox_id = :id AND tier = :tier AND ts >= :start AND ts <= :end
                        ORDER BY ts""")
                .bind("id", sandboxId)
                .bind("tier", tier.id)
                .bind("start", OffsetDateTime.ofInstant(floor(range.start(), tier.step), ZoneOffset.UTC))
                .bind("end", OffsetDateTime.ofInstant(range.end(), ZoneOffset.UTC))
                .map((rs, ctx) -> point(rs))
                .forEach(point -> points.put(point.ts(), point)));
        return points;
    }

    /** The newest fine point since {@code since} of each of {@code ids} that is a sandbox of {@code teamId}. */
    Map<UUID, Point> newestPoints(UUID teamId, List<UUID> ids, Instant since) {
        Map<UUID, Point> points = new java.util.LinkedHashMap<>();
        if (ids.isEmpty()) {
            return points;
        }
        jdbi.useHandle(h -> h.createQuery("SELECT DISTINCT ON (sandbox_id) sandbox_id, " + POINT_COLUMNS + """

                        FROM sandbox_metric_points
                        WHERE team_id = :team AND sandbox_id = ANY(:ids) AND tier = 0 AND ts >= :since
                        ORDER BY sandbox_id, ts DESC""")
                .bind("team", teamId)
                .bind("ids", ids.toArray(UUID[]::new))
                .bind("since", OffsetDateTime.ofInstant(since, ZoneOffset.UTC))
                .map((rs, ctx) -> java.util.Map.entry(rs.getObject("sandbox_id", UUID.class), point(rs)))
                .forEach(entry -> points.put(entry.getKey(), entry.getValue())));
        return points;
    }

    private static Point point(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Point(rs.getObject("ts", OffsetDateTime.class).toInstant(), rs.getInt("vcpus"), rs.getFloat("cpu_pct"),
                rs.getFloat("cpu_pct_max"), rs.getLong("mem_used_bytes"), rs.getLong("mem_used_max"),
                rs.getLong("mem_total_bytes"), rs.getLong("disk_used_bytes"), rs.getLong("disk_total_bytes"),
                rs.getLong("net_rx_bytes"), rs.getLong("net_tx_bytes"));
    }

    /** The start of the step of {@code step} that holds {@code at} (steps counted from 2000-01-01 UTC). */
    static Instant floor(Instant at, Duration step) {
        long origin = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();
        long seconds = at.getEpochSecond() - origin;
        return Instant.ofEpochSecond(origin + Math.floorDiv(seconds, step.toSeconds()) * step.toSeconds());
    }

    private static String interval(Duration duration) {
        return duration.toSeconds() + " seconds";
    }
}
