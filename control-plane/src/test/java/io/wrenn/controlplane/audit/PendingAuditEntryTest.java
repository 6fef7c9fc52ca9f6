package io.wrenn.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A call that reaches a host has its audit entry committed, pending, before it changes anything,
 * and the same entry is settled when it answers; the pending entries of a control plane that
 * stopped are settled as lost, by the reconciler (killed) or at once (clean stop). On a real
 * PostgreSQL with the fake host agent, whose pause is held by a latch.
 */
class PendingAuditEntryTest {

    private static final String PAUSE = "POST /v1/sandboxes/{id}/pause";

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    @AfterEach
    void releaseTheHost() {
        wrenn.agent.pauseGate = null;
        wrenn.agent.failPauseAndResume = null;
    }

    @Test
    void aHeldHostCallIsInTheLogAsPendingAndItsOneEntryIsSettledWhenItAnswers() throws Exception {
        Person owner = wrenn.signup("Pauser");
        Person stranger = wrenn.signup("Stranger");
        String sandbox = create(owner);

        CountDownLatch gate = new CountDownLatch(1);
        wrenn.agent.pauseGate = gate;
        int callsBefore = wrenn.agent.pauseCalls.size();
        CompletableFuture<Http.Response> pause = CompletableFuture.supplyAsync(
                () -> owner.http().post("/v1/sandboxes/" + sandbox + "/pause", ""));
        try {
            awaitHostCall(callsBefore);

            JsonNode pending = only(AuditLogTest.entries(owner.http(), "?action=POST%20/v1/sandboxes/%7Bid%7D/pause"));
            assertThat(pending.get("outcome").stringValue()).isEqualTo("pending");
            assertThat(pending.get("status").isNull()).isTrue();
            assertThat(pending.get("actor").get("user_id").stringValue()).isEqualTo(owner.userId());
            assertThat(pending.get("actor").get("email").stringValue()).isEqualTo(owner.email());
            assertThat(pending.get("team_id").stringValue()).isEqualTo(owner.teamId());
            assertThat(pending.get("client_address").stringValue()).isEqualTo("127.0.0.1");
            assertThat(pending.get("resource").get("type").stringValue()).isEqualTo("sandbox");
            assertThat(pending.get("resource").get("id").stringValue()).as("the team's sandbox, named from the path")
                    .isEqualTo(sandbox);
            // A pending call is neither a success nor a failure.
            assertThat(ids(AuditLogTest.entries(owner.http(), "?outcome=pending"))).contains(id(pending));
            assertThat(ids(AuditLogTest.entries(owner.http(), "?outcome=failure"))).doesNotContain(id(pending));
            assertThat(ids(AuditLogTest.entries(owner.http(), "?outcome=success"))).doesNotContain(id(pending));
            // Another team sees nothing of it.
            assertThat(AuditLogTest.entries(stranger.http(), "?outcome=pending")).isEmpty();
            assertThat(stranger.http().get("/v1/audit-logs").text()).doesNotContain(owner.teamId()).doesNotContain(PAUSE);

            // A reconciler pass of the serving control plane leaves its own call alone.
            wrenn.controlPlane.reconcile();
            assertThat(outcomeOf(id(pending))).isEqualTo("pending");

            // A refused credential on the same route changed nothing: recorded once, after the fact.
            Http.Response refused = owner.http().withKey("wrn_not-a-key").post("/v1/sandboxes/" + sandbox + "/pause", "");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(count("SELECT count(*) FROM audit_log WHERE action = '" + PAUSE + "' AND status = 401"
                    + " AND outcome = 'failure' AND team_id IS NULL")).isEqualTo(1);
        } finally {
            gate.countDown();
        }
        Http.Response answer = pause.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);

        JsonNode settled = only(AuditLogTest.entries(owner.http(), "?action=POST%20/v1/sandboxes/%7Bid%7D/pause"));
        assertThat(settled.get("outcome").stringValue()).isEqualTo("success");
        assertThat(settled.get("status").intValue()).isEqualTo(200);
        assertThat(settled.get("resource").get("id").stringValue()).isEqualTo(sandbox);
        assertThat(settled.get("actor").get("user_id").stringValue()).isEqualTo(owner.userId());
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = '" + PAUSE + "' AND team_id = '" + team(owner) + "'"))
                .as("one entry per call, never two").isEqualTo(1);
    }

    @Test
    void aHeldHostCallThatFailsIsSettledAsAFailure() throws Exception {
        Person owner = wrenn.signup("Failer");
        String sandbox = create(owner);

        CountDownLatch gate = new CountDownLatch(1);
        wrenn.agent.pauseGate = gate;
        wrenn.agent.failPauseAndResume = Status.INTERNAL.withDescription("the host broke");
        int callsBefore = wrenn.agent.pauseCalls.size();
        CompletableFuture<Http.Response> pause = CompletableFuture.supplyAsync(
                () -> owner.http().post("/v1/sandboxes/" + sandbox + "/pause", ""));
        String pendingId;
        try {
            awaitHostCall(callsBefore);
            JsonNode pending = only(AuditLogTest.entries(owner.http(), "?action=POST%20/v1/sandboxes/%7Bid%7D/pause"));
            assertThat(pending.get("outcome").stringValue()).isEqualTo("pending");
            assertThat(pending.get("status").isNull()).isTrue();
            pendingId = id(pending);
        } finally {
            gate.countDown();
        }
        Http.Response answer = pause.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.toString()).isGreaterThanOrEqualTo(500);

        JsonNode settled = only(AuditLogTest.entries(owner.http(), "?action=POST%20/v1/sandboxes/%7Bid%7D/pause"));
        assertThat(id(settled)).as("the same entry").isEqualTo(pendingId);
        assertThat(settled.get("outcome").stringValue()).isEqualTo("failure");
        assertThat(settled.get("status").intValue()).isEqualTo(answer.status());
        assertThat(ids(AuditLogTest.entries(owner.http(), "?outcome=failure"))).contains(pendingId);
    }

    @Test
    void thePendingEntriesOfAControlPlaneThatStoppedBeatingAreSettledAsLost() {
        Person owner = wrenn.signup("Orphaned");
        Person stranger = wrenn.signup("Onlooker");
        UUID team = team(owner);
        UUID user = WireId.USER.decode(owner.userId()).orElseThrow();
        Jdbi jdbi = Jdbi.create(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
        AuditLog log = new AuditLog(jdbi);
        io.wrenn.controlplane.instance.ControlPlaneInstances killed = new io.wrenn.controlplane.instance.ControlPlaneInstances(jdbi);
        io.wrenn.controlplane.instance.ControlPlaneInstances alive = new io.wrenn.controlplane.instance.ControlPlaneInstances(jdbi);
        killed.beat();
        alive.beat();
        // Killed (kill -9) a minute ago: its heartbeat stopped then.
        jdbi.useHandle(h -> h.createUpdate("UPDATE control_plane_instances SET heartbeat_at = now() - interval '1 minute' WHERE id = :id")
                .bind("id", killed.self()).execute());
        String own = create(owner);
        String strangers = create(stranger);
        long ofKilled = log.open(team, user, null, PAUSE, "10.0.0.7", killed.self(), inPath(own));
        long ofNeverSeen = log.open(team, user, null, "DELETE /v1/sandboxes/{id}", "10.0.0.7", UUID.randomUUID(),
                inPath(strangers));
        long ofAlive = log.open(team, user, null, "POST /v1/sandboxes/{id}/resume", "10.0.0.7", alive.self(), null);

        wrenn.controlPlane.reconcile();

        List<JsonNode> entries = AuditLogTest.entries(owner.http(), "");
        JsonNode lost = entry(entries, ofKilled);
        assertThat(lost.get("outcome").stringValue()).isEqualTo("lost");
        assertThat(lost.get("status").isNull()).isTrue();
        assertThat(lost.get("action").stringValue()).isEqualTo(PAUSE);
        assertThat(lost.get("actor").get("user_id").stringValue()).isEqualTo(owner.userId());
        assertThat(lost.get("client_address").stringValue()).isEqualTo("10.0.0.7");
        assertThat(lost.get("resource").get("id").stringValue()).as("the lost call's sandbox").isEqualTo(own);
        assertThat(entry(entries, ofNeverSeen).get("outcome").stringValue()).isEqualTo("lost");
        assertThat(entry(entries, ofNeverSeen).get("resource").isNull()).as("another team's sandbox is never named")
                .isTrue();
        assertThat(entry(entries, ofAlive).get("outcome").stringValue()).as("its control plane still beats").isEqualTo("pending");

        assertThat(ids(AuditLogTest.entries(owner.http(), "?outcome=lost"))).containsExactlyInAnyOrder(
                Long.toString(ofKilled), Long.toString(ofNeverSeen));
        assertThat(ids(AuditLogTest.entries(owner.http(), "?outcome=failure")))
                .doesNotContain(Long.toString(ofKilled), Long.toString(ofNeverSeen), Long.toString(ofAlive));
        assertThat(AuditLogTest.entries(stranger.http(), "?outcome=lost")).isEmpty();
        assertThat(stranger.http().get("/v1/audit-logs").text()).doesNotContain(owner.teamId()).doesNotContain("10.0.0.7");

        // The call's own answer, should it come after all, is the truth.
        log.settle(ofKilled, team, user, null, "sandbox", "sbx-x", true, 200);
        assertThat(outcomeOf(Long.toString(ofKilled))).isEqualTo("success");
    }

    @Test
    void aCleanStopSettlesItsOwnPendingEntriesAsLostAtOnce() {
        TestControlPlane stopping = new TestControlPlane();
        UUID self;
        long pending;
        Jdbi jdbi = Jdbi.create(stopping.jdbcUrl, TestPostgres.user(), TestPostgres.password());
        try {
            self = jdbi.withHandle(h -> h.createQuery("SELECT id FROM control_plane_instances").mapTo(UUID.class).one());
            UUID team = jdbi.withHandle(h -> h.createQuery("SELECT team_id FROM api_keys").mapTo(UUID.class).one());
            pending = new AuditLog(jdbi).open(team, null, null, PAUSE, "127.0.0.1", self, null);
        } finally {
            stopping.close();
        }
        String outcome = jdbi.withHandle(h -> h.createQuery("SELECT outcome FROM audit_log WHERE id = :id")
                .bind("id", pending).mapTo(String.class).one());
        assertThat(outcome).isEqualTo("lost");
        long stillPending = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM audit_log WHERE outcome = 'pending'")
                .mapTo(Long.class).one());
        assertThat(stillPending).isZero();
    }

    private static AuditLog.PathResource inPath(String sandbox) {
        return new AuditLog.PathResource(WireId.SANDBOX, sandbox, WireId.SANDBOX.decode(sandbox).orElseThrow());
    }

    private static String create(Person owner) {
        Http.Response created = owner.http().post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    /** Waits until the control plane is inside the held pause call on the host. */
    private static void awaitHostCall(int callsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (wrenn.agent.pauseCalls.size() <= callsBefore) {
            assertThat(System.nanoTime()).as("the pause reached the host").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static JsonNode only(List<JsonNode> entries) {
        assertThat(entries).hasSize(1);
        return entries.getFirst();
    }

    private static JsonNode entry(List<JsonNode> entries, long id) {
        return entries.stream().filter(e -> e.get("id").stringValue().equals(Long.toString(id))).findFirst().orElseThrow();
    }

    private static String id(JsonNode entry) {
        return entry.get("id").stringValue();
    }

    private static List<String> ids(List<JsonNode> entries) {
        return entries.stream().map(PendingAuditEntryTest::id).toList();
    }

    private static UUID team(Person person) {
        return WireId.TEAM.decode(person.teamId()).orElseThrow();
    }

    private static String outcomeOf(String id) {
        return Jdbi.create(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password()).withHandle(h -> h.createQuery(
                "SELECT outcome FROM audit_log WHERE id = :id").bind("id", Long.parseLong(id)).mapTo(String.class).one());
    }

    private static long count(String query) {
        return Jdbi.create(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password())
                .withHandle(h -> h.createQuery(query).mapTo(Long.class).one());
    }
}
