package io.wrenn.controlplane.template;

import io.wrenn.hostagent.protocol.Deadlines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.reconciler.Reconciler;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.testing.FakeHostAgent;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import io.wrenn.hostagent.protocol.TemplateImage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A snapshot's row exists before its host call ('creating'): it reserves the name, is never
 * shown or used, and the reconciler adopts or drops it when its caller is gone; snapshot files
 * no row names are removed from their host once old enough.
 */
class SnapshotRowsTest {

    /** Past the snapshot call's deadline and the reconciler's slack. */
    static final Duration LATER = Deadlines.DEFAULTS.snapshot().plusMinutes(5);

    TestControlPlane wrenn;
    Http http;
    Database db;
    UUID team;
    String sandbox;

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
        http = wrenn.http;
        db = Database.open(wrenn.jdbcUrl, TestPostgres.user(), io.wrenn.controlplane.testing.TestPostgres.password());
        team = db.jdbi().withHandle(h -> h.createQuery("SELECT team_id FROM api_keys").mapTo(UUID.class).one());
        Http.Response created = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        sandbox = created.json().get("id").stringValue();
    }

    @AfterEach
    void stop() {
        CountDownLatch gate = wrenn.agent.snapshotGate;
        if (gate != null) {
            gate.countDown();
        }
        db.close();
        wrenn.close();
    }

    private Http.Response snapshot(String name) {
        return http.post("/v1/snapshots", "{\"sandbox_id\":\"" + sandbox + "\",\"name\":\"" + name + "\"}");
    }

    private List<String> listed() {
        return http.get("/v1/snapshots").json().get("snapshots").findValuesAsString("name");
    }

    /** The statuses of the live template rows named {@code name}. */
    private List<String> rows(String name) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM templates WHERE name = :name AND deleted_at IS NULL")
                .bind("name", name).mapTo(String.class).list());
    }

    private void tickAt(Clock clock) {
        try (HostAgents agents = new HostAgents(FakeHostAgent.SECRET, FakeHostAgent::channel)) {
            new Reconciler(new HostStore(db.jdbi()), new SandboxStore(db.jdbi()), new TemplateStore(db.jdbi()), agents,
                    Deadlines.DEFAULTS, clock).tick();
        }
    }

    private Http admin() {
        Http.Response login = http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return http.withToken(login.json().get("token").stringValue());
    }

    @Test
    void aSnapshotInTheMakingIsInvisibleUnusableAndHoldsItsName() {
        wrenn.agent.snapshotGate = new CountDownLatch(1);
        CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() -> snapshot("golden"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !wrenn.agent.snapshotCalls.isEmpty());

        assertThat(rows("golden")).containsExactly("creating");
        assertThat(listed()).doesNotContain("golden");
        assertThat(http.get("/v1/snapshots/golden").status()).isEqualTo(404);
        Http.Response fromIt = http.post("/v1/sandboxes", "{\"template\":\"golden\"}");
        assertThat(fromIt.status()).isEqualTo(404);
        assertThat(fromIt.code()).isEqualTo("template_not_found");
        assertThat(admin().get("/v1/admin/templates").json().get("templates").findValuesAsString("name"))
                .contains("minimal").doesNotContain("golden");
        Http.Response second = snapshot("golden");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.code()).isEqualTo("conflict");
        assertThat(wrenn.agent.snapshotCalls).hasSize(1);

        wrenn.agent.snapshotGate.countDown();
        assertThat(first.join().status()).isEqualTo(201);
        assertThat(rows("golden")).containsExactly("ready");
        assertThat(listed()).contains("golden");
        assertThat(http.post("/v1/sandboxes", "{\"template\":\"golden\"}").status()).isEqualTo(201);
    }

    @Test
    void aSnapshotTheHostRefusedLeavesNoRowAndFreesTheName() {
        wrenn.agent.failSnapshot = Status.FAILED_PRECONDITION.withDescription("disk full");
        assertThat(snapshot("golden").status()).isEqualTo(409);
        assertThat(rows("golden")).isEmpty();

        wrenn.agent.failSnapshot = null;
        assertThat(snapshot("golden").status()).isEqualTo(201);
    }

    @Test
    void aLostSnapshotCallIsAdoptedOnTheNextPassWhenTheHostMadeIt() {
        wrenn.agent.loseSnapshotAnswer = Status.UNAVAILABLE.withDescription("agent died");
        assertThat(snapshot("golden").status()).isEqualTo(503);
        assertThat(rows("golden")).containsExactly("creating");
        assertThat(listed()).doesNotContain("golden");

        wrenn.controlPlane.reconcile();

        assertThat(rows("golden")).containsExactly("ready");
        assertThat(http.get("/v1/snapshots/golden").json().get("size_bytes").longValue()).isEqualTo(1 << 20);
        assertThat(wrenn.agent.deletedTemplates).isEmpty();
    }

    @Test
    void aLostSnapshotCallIsDroppedOnTheNextPassWhenTheHostDidNotMakeIt() {
        wrenn.agent.failSnapshot = Status.DEADLINE_EXCEEDED;
        assertThat(snapshot("golden").status()).isEqualTo(504);
        assertThat(rows("golden")).containsExactly("creating");

        wrenn.agent.down = true;
        wrenn.controlPlane.reconcile(); // a host that does not answer changes nothing
        assertThat(rows("golden")).containsExactly("creating");

        wrenn.agent.down = false;
        wrenn.controlPlane.reconcile();
        assertThat(rows("golden")).isEmpty();
        wrenn.agent.failSnapshot = null;
        assertThat(snapshot("golden").status()).isEqualTo(201);
    }

    @Test
    void aCreateRetriedAtOnceAfterALostCallIsNotRefused() {
        // No reconciler pass in between: the retry settles the lost row from the host itself.
        wrenn.agent.failSnapshot = Status.UNAVAILABLE.withDescription("agent died");
        assertThat(snapshot("golden").status()).isEqualTo(503);
        wrenn.agent.failSnapshot = null;
        Http.Response retried = snapshot("golden");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        assertThat(rows("golden")).containsExactly("ready");

        // When the host had made it, the retry finds it made (and it is listed).
        wrenn.agent.loseSnapshotAnswer = Status.UNAVAILABLE;
        assertThat(snapshot("silver").status()).isEqualTo(503);
        wrenn.agent.loseSnapshotAnswer = null;
        assertThat(snapshot("silver").code()).isEqualTo("conflict");
        assertThat(listed()).contains("golden", "silver");
        assertThat(wrenn.agent.snapshotCalls).hasSize(3);
    }

    @Test
    void aCreatingRowWithoutTheMarkerWaitsForTheSnapshotDeadline() {
        // A control plane that died mid-snapshot leaves 'creating' rows without the marker.
        TemplateStore templates = new TemplateStore(db.jdbi());
        UUID host = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM hosts").mapTo(UUID.class).one());
        assertThat(templates.insertCreating(UUID.randomUUID(), team, "made", "snapshot", 1, 512, host, null, null, null)).isTrue();
        assertThat(templates.insertCreating(UUID.randomUUID(), team, "unmade", "snapshot", 1, 512, host, null, null, null)).isTrue();
        wrenn.agent.snapshots.put(team + "/made", TemplateImage.newBuilder().setTeamId(team.toString()).setName("made")
                .setType("snapshot").setVcpus(1).setMemoryMb(512).setDiskSizeMb(5120).setSizeBytes(99)
                .setCreatedAtMs(System.currentTimeMillis()).build());

        tickAt(Clock.systemUTC());
        assertThat(rows("made")).containsExactly("creating");
        assertThat(rows("unmade")).containsExactly("creating");

        tickAt(Clock.offset(Clock.systemUTC(), LATER));
        assertThat(rows("made")).containsExactly("ready");
        assertThat(rows("unmade")).isEmpty();
        assertThat(listed()).contains("made");
        assertThat(wrenn.agent.deletedTemplates).isEmpty();
    }

    @Test
    void aCreatingRowWhoseControlPlaneIsGoneIsSettledAtTheNextPass() {
        // Rows reserved by a control plane killed mid-snapshot, and one by a control plane still beating.
        io.wrenn.controlplane.instance.ControlPlaneInstances killed = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
        io.wrenn.controlplane.instance.ControlPlaneInstances alive = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
        io.wrenn.controlplane.instance.ControlPlaneInstances reconciling = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
        killed.beat();
        alive.beat();
        reconciling.beat();
        TemplateStore templates = new TemplateStore(db.jdbi());
        UUID host = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM hosts").mapTo(UUID.class).one());
        assertThat(templates.insertCreating(UUID.randomUUID(), team, "made", "snapshot", 1, 512, host, null, null, killed.self())).isTrue();
        assertThat(templates.insertCreating(UUID.randomUUID(), team, "unmade", "snapshot", 1, 512, host, null, null, killed.self())).isTrue();
        assertThat(templates.insertCreating(UUID.randomUUID(), team, "busy", "snapshot", 1, 512, host, null, null, alive.self())).isTrue();
        wrenn.agent.snapshots.put(team + "/made", TemplateImage.newBuilder().setTeamId(team.toString()).setName("made")
                .setType("snapshot").setVcpus(1).setMemoryMb(512).setDiskSizeMb(5120).setSizeBytes(99)
                .setCreatedAtMs(System.currentTimeMillis()).build());
        try (HostAgents agents = new HostAgents(FakeHostAgent.SECRET, FakeHostAgent::channel)) {
            Reconciler reconciler = new Reconciler(new HostStore(db.jdbi()), new SandboxStore(db.jdbi()), templates, agents,
                    Deadlines.DEFAULTS, Clock.systemUTC(), Duration.ZERO, reconciling, null);
            reconciler.tick();
            assertThat(rows("made")).as("its control plane still beats").containsExactly("creating");

            killed.retire();
            reconciler.tick();
            assertThat(rows("made")).containsExactly("ready");
            assertThat(rows("unmade")).as("never made: the name is free again").isEmpty();
            assertThat(rows("busy")).as("its control plane is alive").containsExactly("creating");
            assertThat(listed()).contains("made").doesNotContain("busy", "unmade");
        } finally {
            alive.retire();
            reconciling.retire();
        }
    }

    @Test
    void leftoverTeamSnapshotsAreRemovedFromTheHostOnceOld() {
        String platform = new UUID(0, 0).toString();
        long old = System.currentTimeMillis() - LATER.toMillis();
        put(team.toString(), "leftover", old);
        put(team.toString(), "recent", System.currentTimeMillis());
        put(platform, "platform-leftover", old);
        assertThat(snapshot("kept").status()).isEqualTo(201);
        wrenn.agent.snapshots.computeIfPresent(team + "/kept", (k, image) -> image.toBuilder().setCreatedAtMs(old).build());
        // A snapshot that was deleted keeps a hidden row; its files are not wanted either.
        assertThat(snapshot("deleted").status()).isEqualTo(201);
        assertThat(http.delete("/v1/snapshots/deleted").status()).isEqualTo(204);
        put(team.toString(), "deleted", old);
        wrenn.agent.deletedTemplates.clear();

        wrenn.controlPlane.reconcile();

        assertThat(wrenn.agent.deletedTemplates).containsExactlyInAnyOrder(team + "/leftover", team + "/deleted");
        assertThat(wrenn.agent.snapshots).containsOnlyKeys(team + "/recent", platform + "/platform-leftover", team + "/kept");
        assertThat(wrenn.agent.templates).contains("minimal", "debian");
        assertThat(listed()).containsExactly("kept");
    }

    private void put(String teamId, String name, long createdAtMs) {
        wrenn.agent.snapshots.put(teamId + "/" + name, TemplateImage.newBuilder().setTeamId(teamId).setName(name)
                .setType("snapshot").setVcpus(1).setMemoryMb(512).setCreatedAtMs(createdAtMs).build());
    }
}
