package io.wrenn.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.testing.TestPostgres;
import io.wrenn.hostagent.protocol.MetricSample;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metrics tables on a real PostgreSQL: batch inserts, roll-ups, pruning and the usage formula. */
class MetricsStoreTest {

    private Database db;
    private MetricsStore store;
    private SandboxStore sandboxes;
    private UUID team;
    private UUID host;
    private UUID otherHost;
    private UUID template;

    @BeforeEach
    void open() {
        db = Database.open(TestPostgres.newDatabase(), TestPostgres.user(), TestPostgres.password());
        store = new MetricsStore(db.jdbi());
        sandboxes = new SandboxStore(db.jdbi());
        HostStore hosts = new HostStore(db.jdbi());
        host = hosts.upsert("one", "127.0.0.1:1");
        otherHost = hosts.upsert("two", "127.0.0.1:2");
        team = UUID.randomUUID();
        db.jdbi().useHandle(h -> h.execute("INSERT INTO teams (id, name) VALUES (?, 'metrics')", team));
        template = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM templates WHERE name = 'minimal'").mapTo(UUID.class).one());
    }

    @AfterEach
    void close() {
        db.close();
    }

    private UUID sandbox(UUID onHost, int vcpus, int memoryMb, SandboxStatus status) {
        UUID id = UUID.randomUUID();
        sandboxes.insertStarting(id, team, onHost, template, vcpus, memoryMb, 5120, 300, List.of(), Map.of(), io.wrenn.controlplane.sandbox.OnTimeout.DESTROY);
        switch (status) {
            case RUNNING -> sandboxes.markRunning(id, EnumSet.of(SandboxStatus.STARTING), Instant.now(), null, 1L);
            case PAUSED -> {
                sandboxes.markRunning(id, EnumSet.of(SandboxStatus.STARTING), Instant.now(), null, 1L);
                sandboxes.markPaused(id, EnumSet.of(SandboxStatus.RUNNING), 1, null);
            }
            case STOPPED -> sandboxes.transition(id, EnumSet.of(SandboxStatus.STARTING), SandboxStatus.STOPPED, null);
            default -> { }
        }
        return id;
    }

    private static MetricSample sample(UUID sandbox, Instant at, double cpu, long memUsed, long rx) {
        return MetricSample.newBuilder().setSandboxId(sandbox.toString()).setTeamId(UUID.randomUUID().toString())
                .setAtMs(at.toEpochMilli()).setVcpus(2).setCpuPct(cpu).setMemUsedBytes(memUsed)
                .setMemTotalBytes(1L << 30).setDiskUsedBytes(100).setDiskTotalBytes(1000).setNetRxBytes(rx)
                .setNetTxBytes(1).build();
    }

    @Test
    void samplesCountOnlyForSandboxesOfTheSendingHostAndRollUp() {
        UUID mine = sandbox(host, 2, 512, SandboxStatus.RUNNING);
        UUID elsewhere = sandbox(otherHost, 2, 512, SandboxStatus.RUNNING);
        Instant minute = MetricsStore.floor(Instant.now().minus(Duration.ofMinutes(2)), Duration.ofMinutes(1));
        List<MetricSample> batch = List.of(
                sample(mine, minute.plusSeconds(1), 10, 100, 1000),
                sample(mine, minute.plusSeconds(6), 30, 300, 2000),
                sample(mine, minute.plusSeconds(7), 99, 999, 9999), // same 5 s step: the first one stays
                sample(elsewhere, minute.plusSeconds(1), 50, 500, 5000),
                sample(mine, minute.plusSeconds(70), 200, -5, 10)); // clamped: 100 %, 0 bytes
        assertThat(store.insertSamples(host, batch)).isEqualTo(3);
        assertThat(store.insertSamples(host, batch)).isZero(); // a re-read after a restart stores nothing twice

        TimeRange range = new TimeRange(minute, Instant.now());
        Map<Instant, Point> fine = store.sandboxPoints(mine, Tier.FINE, range);
        assertThat(fine).containsOnlyKeys(minute, minute.plusSeconds(5), minute.plusSeconds(70));
        assertThat(fine.get(minute.plusSeconds(70)).cpuPct()).isEqualTo(100f);
        assertThat(fine.get(minute.plusSeconds(70)).memUsedBytes()).isZero();
        assertThat(store.sandboxPoints(elsewhere, Tier.FINE, range)).isEmpty();

        store.rollUp(Tier.FINE, Tier.MINUTE, Duration.ofMinutes(10));
        Point first = store.sandboxPoints(mine, Tier.MINUTE, range).get(minute);
        assertThat(first.cpuPct()).isEqualTo(20f);
        assertThat(first.cpuPctMax()).isEqualTo(30f);
        assertThat(first.memUsedBytes()).isEqualTo(200);
        assertThat(first.memUsedMax()).isEqualTo(300);
        assertThat(first.netRxBytes()).isEqualTo(3000);
        store.rollUp(Tier.MINUTE, Tier.HOUR, Duration.ofHours(3));
        assertThat(store.sandboxPoints(mine, Tier.HOUR, new TimeRange(minute.minus(Duration.ofHours(1)), Instant.now())))
                .hasSize(minute.plusSeconds(70).getEpochSecond() / 3600 == minute.getEpochSecond() / 3600 ? 1 : 2);
    }

    @Test
    void theNewestPointOfEachNamedSandboxOfTheTeam() {
        UUID mine = sandbox(host, 1, 512, SandboxStatus.RUNNING);
        UUID quiet = sandbox(host, 1, 512, SandboxStatus.RUNNING);
        Instant now = Instant.now();
        store.insertSamples(host, List.of(sample(mine, now.minusSeconds(20), 5, 1, 1), sample(mine, now.minusSeconds(6), 7, 1, 1),
                sample(quiet, now.minusSeconds(300), 5, 1, 1)));
        Map<UUID, Point> newest = store.newestPoints(team, List.of(mine, quiet, UUID.randomUUID()), now.minusSeconds(60));
        assertThat(newest).containsOnlyKeys(mine);
        assertThat(newest.get(mine).cpuPct()).isEqualTo(7f);
        assertThat(store.newestPoints(UUID.randomUUID(), List.of(mine), now.minusSeconds(60))).isEmpty();
    }

    @Test
    void pruningDropsEachTierPastItsAge() {
        UUID mine = sandbox(host, 1, 512, SandboxStatus.RUNNING);
        Instant old = Instant.now().minus(Duration.ofHours(7));
        store.insertSamples(host, List.of(sample(mine, old, 5, 1, 1), sample(mine, Instant.now(), 5, 1, 1)));
        store.rollUp(Tier.FINE, Tier.MINUTE, Duration.ofHours(8));
        store.prune();
        TimeRange all = new TimeRange(old.minus(Duration.ofMinutes(1)), Instant.now());
        assertThat(store.sandboxPoints(mine, Tier.FINE, all)).hasSize(1);
        assertThat(store.sandboxPoints(mine, Tier.MINUTE, all)).hasSize(2); // minutes are kept 7 days
    }

    @Test
    void usageCountsPausedSandboxesAtHalfTheirMemoryRoundedUp() {
        sandbox(host, 2, 512, SandboxStatus.RUNNING);
        sandbox(host, 1, 1023, SandboxStatus.PAUSED);
        sandbox(host, 4, 4096, SandboxStatus.STOPPED);
        UUID starting = sandbox(otherHost, 1, 256, SandboxStatus.STARTING);
        Usage now = store.usageNow(team);
        assertThat(now.running()).isEqualTo(1);
        assertThat(now.paused()).isEqualTo(1);
        assertThat(now.vcpusReserved()).isEqualTo(3);
        assertThat(now.memoryMbReserved()).isEqualTo(512 + 512 + 256);
        assertThat(store.usageNow(UUID.randomUUID()).running()).isZero();

        store.sampleUsage();
        Map<Instant, Usage> series = store.usageSeries(team, new TimeRange(Instant.now().minusSeconds(60), Instant.now()),
                Duration.ofSeconds(10));
        assertThat(series.values()).anySatisfy(u -> assertThat(u).isEqualTo(now));
        // A team holding nothing reads zeros in a sampled step, not a gap.
        assertThat(store.usageSeries(UUID.randomUUID(), new TimeRange(Instant.now().minusSeconds(60), Instant.now()),
                Duration.ofSeconds(10)).values()).allSatisfy(u -> assertThat(u.running()).isZero()).isNotEmpty();

        assertThat(store.hostsNow()).anySatisfy(h -> {
            assertThat(h.name()).isEqualTo("two");
            assertThat(h.usage().vcpusReserved()).isEqualTo(1);
        });
        assertThat(starting).isNotNull();
        assertThat(store.buildsByStatus()).containsEntry("queued", 0L).containsEntry("running", 0L);
    }
}
