package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The build queue in PostgreSQL: fair claims, leases, take-over of lost builds, cancel. */
class BuildQueueTest {

    private Database db;
    private BuildStore store;
    private final UUID teamA = UUID.randomUUID();
    private final UUID teamB = UUID.randomUUID();

    @BeforeEach
    void start() {
        db = Database.open(TestPostgres.newDatabase(), TestPostgres.user(), TestPostgres.password());
        Jdbi jdbi = db.jdbi();
        for (UUID team : List.of(teamA, teamB)) {
            jdbi.useHandle(h -> h.execute("INSERT INTO teams (id, name) VALUES (?, 'team')", team));
        }
        store = new BuildStore(jdbi);
    }

    @AfterEach
    void stop() {
        db.close();
    }

    private Build queued(UUID team, String name) {
        Recipe recipe = RecipeParser.parse("FROM minimal\nRUN true");
        Build build = new Build(UUID.randomUUID(), team, team, name, "FROM minimal\nRUN true", recipe, null, 1, 512, 5120,
                true, false, BuildStatus.QUEUED, null, 0, 3, null, 0, 0, false, null, null, null, null, null, null);
        assertThat(store.insert(build, h -> { })).isTrue();
        return build;
    }

    @Test
    void claimsAreFairBetweenTeamsAndBoundedInNumber() {
        Build a1 = queued(teamA, "a1");
        Build a2 = queued(teamA, "a2");
        Build b1 = queued(teamB, "b1");
        assertThat(store.claimNext("w", Duration.ofSeconds(30), 2).map(Build::id)).contains(a1.id());
        // Team A has one running: team B's build goes before A's older second one.
        assertThat(store.claimNext("w", Duration.ofSeconds(30), 2).map(Build::id)).contains(b1.id());
        assertThat(store.claimNext("w", Duration.ofSeconds(30), 2)).isEmpty();
        assertThat(store.finish(a1.id(), "w", BuildStatus.SUCCEEDED, null, null, null)).isTrue();
        assertThat(store.claimNext("w", Duration.ofSeconds(30), 2).map(Build::id)).contains(a2.id());
    }

    @Test
    void aBuildHasOneUnfinishedRunPerName() {
        queued(teamA, "same");
        Build again = new Build(UUID.randomUUID(), teamA, teamA, "same", "", null, null, 1, 512, 5120, true, false,
                BuildStatus.QUEUED, null, 0, 3, null, 0, 0, false, null, null, null, null, null, null);
        assertThat(store.insert(again, h -> { })).isFalse();
    }

    @Test
    void onlyTheLeaseHolderWritesAndALostLeaseIsTakenOverThenFailed() throws Exception {
        Build build = queued(teamA, "lost");
        Build claimed = store.claimNext("dead", Duration.ofMillis(1), 5).orElseThrow();
        assertThat(claimed.attempts()).isEqualTo(1);
        Thread.sleep(20);
        assertThat(store.expired()).extracting(Build::id).containsExactly(build.id());
        assertThat(store.takeOver(claimed, 2, "lost")).isTrue();
        assertThat(store.find(build.id()).orElseThrow().status()).isEqualTo(BuildStatus.QUEUED);
        // The dead worker's late writes change nothing.
        assertThat(store.finish(build.id(), "dead", BuildStatus.SUCCEEDED, null, null, null)).isFalse();
        assertThat(store.renew(build.id(), "dead", Duration.ofSeconds(30)).held()).isFalse();

        Build second = store.claimNext("alive", Duration.ofMillis(1), 5).orElseThrow();
        assertThat(second.attempts()).isEqualTo(2);
        Thread.sleep(20);
        assertThat(store.takeOver(second, 2, "lost again")).isTrue();
        Build failed = store.find(build.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(BuildStatus.FAILED);
        assertThat(failed.reason()).isEqualTo("lost again");
        assertThat(failed.finishedAt()).isNotNull();
    }

    @Test
    void cancelEndsAQueuedBuildAtOnceAndFlagsARunningOne() {
        Build waiting = queued(teamA, "waiting");
        assertThat(store.requestCancel(waiting.id()).orElseThrow().status()).isEqualTo(BuildStatus.CANCELLED);
        Build running = queued(teamA, "running");
        store.claimNext("w", Duration.ofSeconds(30), 5).orElseThrow();
        assertThat(store.requestCancel(running.id()).orElseThrow().status()).isEqualTo(BuildStatus.RUNNING);
        BuildStore.Lease lease = store.renew(running.id(), "w", Duration.ofSeconds(30));
        assertThat(lease.held()).isTrue();
        assertThat(lease.cancelRequested()).isTrue();
        assertThat(store.finish(running.id(), "w", BuildStatus.FAILED, "step 1: exited with 3", 1, null)).isTrue();
        Optional<Build> done = store.find(running.id());
        assertThat(done.orElseThrow().failedStep()).isEqualTo(1);
    }

}
