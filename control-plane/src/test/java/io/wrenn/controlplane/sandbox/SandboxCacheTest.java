package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.instance.Notifications;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox reads kept in memory ({@link SandboxCache}) against a real database. Most tests
 * hear no notification at all (the cache is told it listens, and nothing ever tells it of a
 * change): every fresh answer after a write then comes from the store's own drop, as a client
 * of this control plane needs it. The others listen for real, with a connection the test can cut.
 */
class SandboxCacheTest {

    private static final Set<SandboxStatus> ALL = EnumSet.allOf(SandboxStatus.class);
    private static final Paging.PageRequest FIRST_PAGE = new Paging.PageRequest(100, null);

    private static Database db;
    private static Jdbi jdbi;
    private static UUID host;
    private static UUID template;

    private UUID team;
    private SandboxCache cache;
    private SandboxStore store;

    @BeforeAll
    static void database() {
        db = Database.open(TestPostgres.newDatabase(), TestPostgres.user(), TestPostgres.password());
        jdbi = db.jdbi();
        host = UUID.randomUUID();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO hosts (id, name, address, status) VALUES (:id, 'h', 'h:1', 'online')")
                .bind("id", host).execute());
        template = jdbi.withHandle(h -> h.createQuery(
                "SELECT id FROM templates WHERE name = 'minimal' AND team_id = '00000000-0000-0000-0000-000000000000'")
                .mapTo(UUID.class).one());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void deafToOthers() {
        team = newTeam();
        cache = new SandboxCache();
        // Coherent as if listening, but no notification will ever come: only the store's own drops act.
        cache.listening();
        store = new SandboxStore(jdbi, null, cache);
    }

    @Test
    void aSecondReadIsAnsweredFromMemoryAndAWriteBehindTheStoresBackIsNot() {
        UUID id = insert(team, Map.of());
        assertThat(read(id).status()).isEqualTo(SandboxStatus.STARTING);
        long hits = cache.hits();
        assertThat(read(id).status()).isEqualTo(SandboxStatus.STARTING);
        assertThat(page()).extracting(Sandbox::id).containsExactly(id);
        assertThat(page()).extracting(Sandbox::id).containsExactly(id);
        assertThat(cache.hits()).isEqualTo(hits + 2);

        // Nobody tells this cache of a write made straight in the database: that is what the
        // notifications are for (the tests below), and why it must be deaf when they stop.
        sql("UPDATE sandboxes SET status = 'error' WHERE id = '" + id + "'");
        assertThat(read(id).status()).isEqualTo(SandboxStatus.STARTING);
    }

    @Test
    void aCreateIsListedAtOnce() {
        UUID first = insert(team, Map.of());
        assertThat(page()).extracting(Sandbox::id).containsExactly(first);
        UUID second = insert(team, Map.of("k", "v"));
        assertThat(page()).extracting(Sandbox::id).containsExactlyInAnyOrder(first, second);
        assertThat(store.readPage(team, ALL, Map.of("k", "v"), FIRST_PAGE)).extracting(Sandbox::id).containsExactly(second);
    }

    @Test
    void aCreateInsideATransactionIsListedOnceCommitted() {
        assertThat(page()).isEmpty();
        UUID id = UUID.randomUUID();
        jdbi.useTransaction(h -> store.insertStarting(h, id, team, host, template, 1, 256, 1024, 60, List.of(), Map.of(),
                OnTimeout.DESTROY));
        assertThat(page()).extracting(Sandbox::id).containsExactly(id);
    }

    @Test
    void everyWriteOfTheStoreIsReadAtOnce() {
        UUID id = insert(team, Map.of());
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = started.plusSeconds(600);

        after(() -> store.markRunning(id, Set.of(SandboxStatus.STARTING), started, expires, 42L), s -> {
            assertThat(s.status()).isEqualTo(SandboxStatus.RUNNING);
            assertThat(s.bootMs()).isEqualTo(42L);
            assertThat(s.expiresAt()).isEqualTo(expires);
        }, id);
        after(() -> store.setExpiry(id, expires.plusSeconds(60), 660), s -> {
            assertThat(s.timeoutS()).isEqualTo(660);
            assertThat(s.expiresAt()).isEqualTo(expires.plusSeconds(60));
        }, id);
        after(() -> store.saveEnvdVersion(id, "9.9.9"), s -> assertThat(s.envdVersion()).isEqualTo("9.9.9"), id);
        after(() -> store.transition(id, Set.of(SandboxStatus.RUNNING), SandboxStatus.PAUSING, null),
                s -> assertThat(s.status()).isEqualTo(SandboxStatus.PAUSING), id);
        after(() -> store.markHostCallLost(id, SandboxStatus.PAUSING), s -> assertThat(s.hostCallLost()).isTrue(), id);
        after(() -> store.markPaused(id, Set.of(SandboxStatus.PAUSING), 3, "timeout", true), s -> {
            assertThat(s.status()).isEqualTo(SandboxStatus.PAUSED);
            assertThat(s.pauseGeneration()).isEqualTo(3);
            assertThat(s.pausedWithoutMemory()).isTrue();
            assertThat(s.statusReason()).isEqualTo("timeout");
        }, id);
        after(() -> jdbi.useTransaction(h -> store.transition(h, id, Set.of(SandboxStatus.PAUSED), SandboxStatus.RESUMING, null)),
                s -> assertThat(s.status()).isEqualTo(SandboxStatus.RESUMING), id);
        after(() -> store.markResumed(id, expires), s -> {
            assertThat(s.status()).isEqualTo(SandboxStatus.RUNNING);
            assertThat(s.pausedAt()).isNull();
        }, id);
        after(() -> store.transitionAllOnHost(host, SandboxStatus.RUNNING, SandboxStatus.UNKNOWN, "host_unreachable"),
                s -> assertThat(s.status()).isEqualTo(SandboxStatus.UNKNOWN), id);
        after(() -> store.transition(id, EnumSet.complementOf(EnumSet.of(SandboxStatus.STOPPED)), SandboxStatus.STOPPED, "deleted"), s -> {
            assertThat(s.status()).isEqualTo(SandboxStatus.STOPPED);
            assertThat(s.stoppedAt()).isNotNull();
        }, id);
        assertThat(store.readPage(team, Set.of(SandboxStatus.RUNNING), Map.of(), FIRST_PAGE)).isEmpty();
    }

    @Test
    void aReadDuringAnUncommittedWriteIsNotKeptPastTheCommit() throws Exception {
        UUID id = insert(team, Map.of());
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch readMeanwhile = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> jdbi.useTransaction(h -> {
            store.transition(h, id, Set.of(SandboxStatus.STARTING), SandboxStatus.ERROR, "failed");
            written.countDown();
            // The row is changed but not committed: a read now sees, and may keep, the old one.
            awaitLatch(readMeanwhile);
        }));
        awaitLatch(written);
        assertThat(read(id).status()).isEqualTo(SandboxStatus.STARTING);
        assertThat(read(id).status()).isEqualTo(SandboxStatus.STARTING);
        readMeanwhile.countDown();
        writer.get(30, TimeUnit.SECONDS);
        assertThat(read(id).status()).isEqualTo(SandboxStatus.ERROR);
    }

    @Test
    void oneTeamIsNeverAnsweredWithAnothersSandbox() {
        UUID other = newTeam();
        UUID theirs = insert(other, Map.of());
        assertThat(store.readForTeam(other, theirs)).isPresent();
        assertThat(store.readPage(other, ALL, Map.of(), FIRST_PAGE)).extracting(Sandbox::id).containsExactly(theirs);
        // Kept for their team now; asked by ours, twice (a second time would be a hit if it were kept for us).
        assertThat(store.readForTeam(team, theirs)).isEmpty();
        assertThat(store.readForTeam(team, theirs)).isEmpty();
        assertThat(page()).isEmpty();
        UUID ours = insert(team, Map.of());
        assertThat(page()).extracting(Sandbox::id).containsExactly(ours);
        assertThat(store.readPage(other, ALL, Map.of(), FIRST_PAGE)).extracting(Sandbox::id).containsExactly(theirs);
    }

    @Test
    void aWriteByAnotherControlPlaneIsReadOnceHeard() throws Exception {
        try (Notifications notifications = new Notifications(db::dedicatedConnection)) {
            SandboxCache heard = new SandboxCache();
            heard.hear(notifications);
            notifications.start();
            assertThat(notifications.awaitListening(Duration.ofSeconds(30))).isTrue();
            SandboxStore listening = new SandboxStore(jdbi, null, heard);
            UUID id = insert(team, Map.of());
            assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isNull();
            assertThat(listening.readPage(team, ALL, Map.of(), FIRST_PAGE)).hasSize(1);
            // The insert's own notification may still be on its way (and drop what was read): read until kept.
            await().atMost(Duration.ofSeconds(30)).until(() -> answeredFromMemory(heard, () -> listening.readForTeam(team, id)));

            // Another control plane: its own connection, a plain UPDATE, nothing of this store.
            sql("UPDATE sandboxes SET status_reason = 'elsewhere', metadata = '{\"by\":\"other\"}' WHERE id = '" + id + "'");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isEqualTo("elsewhere"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(listening.readPage(team, ALL, Map.of("by", "other"), FIRST_PAGE)).extracting(Sandbox::id).containsExactly(id));
            sql("DELETE FROM sandboxes WHERE id = '" + id + "'");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(listening.readForTeam(team, id)).isEmpty());
            assertThat(heard.coherent()).isTrue();
        }
    }

    @Test
    void aBrokenListenerSendsEveryReadToTheDatabaseUntilItListensAgain() throws Exception {
        AtomicBoolean refuse = new AtomicBoolean();
        Notifications.Connections connections = () -> {
            if (refuse.get()) {
                throw new SQLException("refused by the test");
            }
            return db.dedicatedConnection();
        };
        try (Notifications notifications = new Notifications(connections)) {
            SandboxCache heard = new SandboxCache();
            heard.hear(notifications);
            assertThat(heard.coherent()).isFalse();
            notifications.start();
            await().atMost(Duration.ofSeconds(30)).until(heard::coherent);
            SandboxStore listening = new SandboxStore(jdbi, null, heard);
            UUID id = insert(team, Map.of());
            assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isNull();
            assertThat(listening.readPage(team, ALL, Map.of(), FIRST_PAGE)).extracting(Sandbox::statusReason).containsOnlyNulls();

            refuse.set(true);
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                    + Database.DEDICATED_APPLICATION_NAME + "' AND datname = current_database() AND pid <> pg_backend_pid()");
            await().atMost(Duration.ofSeconds(30)).until(() -> !heard.coherent());

            // Nobody listens: this write's notification is lost for good.
            sql("UPDATE sandboxes SET status_reason = 'while deaf' WHERE id = '" + id + "'");
            long hits = heard.hits();
            long misses = heard.misses();
            assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isEqualTo("while deaf");
            assertThat(listening.readPage(team, ALL, Map.of(), FIRST_PAGE)).extracting(Sandbox::statusReason).containsExactly("while deaf");
            assertThat(listening.readForTeam(team, id)).isPresent();
            assertThat(heard.hits()).isEqualTo(hits);
            assertThat(heard.misses()).isEqualTo(misses);
            sql("UPDATE sandboxes SET status_reason = 'still deaf' WHERE id = '" + id + "'");
            assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isEqualTo("still deaf");

            refuse.set(false);
            await().atMost(Duration.ofSeconds(30)).until(heard::coherent);
            assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isEqualTo("still deaf");
            await().atMost(Duration.ofSeconds(30)).until(() -> answeredFromMemory(heard, () -> listening.readForTeam(team, id)));
            sql("UPDATE sandboxes SET status_reason = 'heard again' WHERE id = '" + id + "'");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(listening.readForTeam(team, id).orElseThrow().statusReason()).isEqualTo("heard again"));
        }
    }

    @Test
    void aRenderedAnswerIsKeptAndDroppedWithItsRows() {
        UUID id = insert(team, Map.of());
        UUID other = newTeam();
        java.util.function.Function<Sandbox, byte[]> status = s -> s.status().wire().getBytes();
        java.util.function.Function<List<Sandbox>, byte[]> statuses = rows -> rows.stream().map(s -> s.status().wire())
                .toList().toString().getBytes();
        assertThat(store.readRendered(team, id, "t", status)).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("starting"));
        assertThat(new String(store.readPageRendered(team, ALL, Map.of(), FIRST_PAGE, "t", statuses))).isEqualTo("[starting]");
        long hits = cache.hits();
        assertThat(store.readRendered(team, id, "t", status)).isPresent();
        assertThat(store.readPageRendered(team, ALL, Map.of(), FIRST_PAGE, "t", statuses)).isNotEmpty();
        assertThat(cache.hits()).isEqualTo(hits + 2);
        // Another team: no such sandbox, and nothing kept that would answer it later.
        assertThat(store.readRendered(other, id, "t", status)).isEmpty();
        assertThat(store.readRendered(other, id, "t", status)).isEmpty();
        assertThat(new String(store.readPageRendered(other, ALL, Map.of(), FIRST_PAGE, "t", statuses))).isEqualTo("[]");

        store.transition(id, Set.of(SandboxStatus.STARTING), SandboxStatus.ERROR, "failed");
        assertThat(store.readRendered(team, id, "t", status)).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("error"));
        assertThat(new String(store.readPageRendered(team, ALL, Map.of(), FIRST_PAGE, "t", statuses))).isEqualTo("[error]");
    }

    @Test
    void memoryIsBounded() {
        UUID id = insert(team, Map.of());
        // Each distinct list query is a key the client chooses: past the bound they are not kept.
        for (int limit = 1; limit <= SandboxCache.MAX_PAGES_PER_TEAM + 10; limit++) {
            store.readPage(team, ALL, Map.of(), new Paging.PageRequest(limit, null));
        }
        long hits = cache.hits();
        store.readPage(team, ALL, Map.of(), new Paging.PageRequest(SandboxCache.MAX_PAGES_PER_TEAM + 5, null));
        assertThat(cache.hits()).isEqualTo(hits);
        store.readPage(team, ALL, Map.of(), new Paging.PageRequest(1, null));
        assertThat(cache.hits()).isEqualTo(hits + 1);
        assertThat(read(id)).isNotNull();
    }

    /** Reads {@code id} and the team's list (kept now), writes, and checks both reads show the write. */
    private void after(Runnable write, Consumer<Sandbox> check, UUID id) {
        read(id);
        page();
        long hits = cache.hits();
        read(id);
        page();
        assertThat(cache.hits()).as("kept before the write").isEqualTo(hits + 2);
        write.run();
        check.accept(read(id));
        check.accept(page().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow());
    }

    private static boolean answeredFromMemory(SandboxCache cache, Runnable read) {
        long hits = cache.hits();
        read.run();
        return cache.hits() == hits + 1;
    }

    private Sandbox read(UUID id) {
        return store.readForTeam(team, id).orElseThrow();
    }

    private List<Sandbox> page() {
        return store.readPage(team, ALL, Map.of(), FIRST_PAGE);
    }

    private UUID insert(UUID teamId, Map<String, String> metadata) {
        UUID id = UUID.randomUUID();
        store.insertStarting(id, teamId, host, template, 1, 256, 1024, 60, List.of(), metadata, OnTimeout.DESTROY);
        return id;
    }

    private static UUID newTeam() {
        UUID id = UUID.randomUUID();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO teams (id, name) VALUES (:id, 'cache test')").bind("id", id).execute());
        return id;
    }

    /** A statement on a connection of its own, as another control plane (or a person at psql) would write. */
    private static void sql(String statement) {
        try (Connection connection = db.dedicatedConnection(); var s = connection.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
