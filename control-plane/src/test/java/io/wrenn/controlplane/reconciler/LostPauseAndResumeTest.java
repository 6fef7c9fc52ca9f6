package io.wrenn.controlplane.reconciler;

import io.wrenn.hostagent.protocol.Deadlines;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.template.TemplateStore;
import io.wrenn.controlplane.testing.FakeHostAgent;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import io.wrenn.hostagent.protocol.SandboxState;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pause and resume calls whose host call was lost are settled by the next reconciler pass. */
class LostPauseAndResumeTest {

    TestControlPlane wrenn;
    Http http;
    Database db;
    SandboxStore store;

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
        http = wrenn.http;
        db = Database.open(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
        store = new SandboxStore(db.jdbi());
    }

    @AfterEach
    void stop() {
        db.close();
        wrenn.close();
    }

    private String create() {
        Http.Response response = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    private io.wrenn.controlplane.sandbox.Sandbox row(String id) {
        return store.find(WireId.SANDBOX.decode(id).orElseThrow()).orElseThrow();
    }

    /** Makes the host report {@code state} (and {@code generation}) for the sandbox, as if it got there itself. */
    private void hostReports(String id, SandboxState state, long generation) {
        wrenn.agent.sandboxes.computeIfPresent(WireId.SANDBOX.decode(id).orElseThrow().toString(),
                (k, vm) -> vm.toBuilder().setState(state).setPauseGeneration(generation).build());
    }

    @Test
    void aPauseWhoseHostWasUnavailableIsRunningAgainAfterOnePass() {
        String id = create();
        wrenn.agent.failPauseAndResume = Status.UNAVAILABLE.withDescription("agent died");
        Http.Response pause = http.post("/v1/sandboxes/" + id + "/pause", "");
        assertThat(pause.status()).isEqualTo(503);
        assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSING);
        assertThat(row(id).hostCallLost()).isTrue();
        assertThat(row(id).statusReason()).as("a flag, not a reason shown to people").isNull();

        wrenn.controlPlane.reconcile(); // the host never paused it

        assertThat(row(id).status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(row(id).statusReason()).isNull();
    }

    @Test
    void aPauseWhoseAnswerWasLostTakesTheHostsGeneration() {
        String id = create();
        wrenn.agent.failPauseAndResume = Status.DEADLINE_EXCEEDED;
        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "").status()).isEqualTo(504);
        hostReports(id, SandboxState.SANDBOX_STATE_PAUSING, 0);

        wrenn.controlPlane.reconcile(); // still moving on the host: left for the next pass
        assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSING);

        hostReports(id, SandboxState.SANDBOX_STATE_PAUSED, 7);
        wrenn.agent.down = true;
        wrenn.controlPlane.reconcile(); // a host that does not answer changes nothing
        assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSING);

        wrenn.agent.down = false;
        wrenn.controlPlane.reconcile();
        assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSED);
        assertThat(row(id).pauseGeneration()).isEqualTo(7);
    }

    @Test
    void aLostResumeSettlesAsTheHostReportsIt() {
        String paused = create();
        String resumed = create();
        for (String id : new String[] {paused, resumed}) {
            assertThat(http.post("/v1/sandboxes/" + id + "/pause", "").status()).isEqualTo(200);
        }
        wrenn.agent.failPauseAndResume = Status.UNAVAILABLE;
        for (String id : new String[] {paused, resumed}) {
            assertThat(http.post("/v1/sandboxes/" + id + "/resume", "").status()).isEqualTo(503);
            assertThat(row(id).status()).isEqualTo(SandboxStatus.RESUMING);
            assertThat(row(id).hostCallLost()).isTrue();
            assertThat(row(id).statusReason()).as("a flag, not a reason shown to people").isNull();
        }
        hostReports(resumed, SandboxState.SANDBOX_STATE_RUNNING, 1); // the host finished this one

        wrenn.controlPlane.reconcile();

        assertThat(row(paused).status()).isEqualTo(SandboxStatus.PAUSED);
        assertThat(row(paused).pauseGeneration()).isEqualTo(1);
        assertThat(row(resumed).status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(row(resumed).pausedAt()).isNull();
    }

    @Test
    void aFailedPauseTheHostAnsweredIsTakenBackAtOnce() {
        String id = create();
        wrenn.agent.failPauseAndResume = Status.FAILED_PRECONDITION.withDescription("busy");
        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "").status()).isEqualTo(409);
        assertThat(row(id).status()).isEqualTo(SandboxStatus.RUNNING);
    }

    @Test
    void aRowWithoutTheMarkerWaitsForTheGrace() {
        // A control plane that died mid-pause leaves 'pausing' without the marker.
        String id = create();
        UUID uuid = WireId.SANDBOX.decode(id).orElseThrow();
        assertThat(store.transition(uuid, EnumSet.of(SandboxStatus.RUNNING), SandboxStatus.PAUSING, null)).isTrue();
        hostReports(id, SandboxState.SANDBOX_STATE_PAUSED, 2);
        try (HostAgents agents = new HostAgents(FakeHostAgent.SECRET, FakeHostAgent::channel)) {
            HostStore hosts = new HostStore(db.jdbi());
            TemplateStore templates = new TemplateStore(db.jdbi());

            new Reconciler(hosts, store, templates, agents, Deadlines.DEFAULTS, Clock.systemUTC()).tick();
            assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSING);

            Clock afterGrace = Clock.offset(Clock.systemUTC(), Deadlines.DEFAULTS.pauseGrace().plusSeconds(5));
            new Reconciler(hosts, store, templates, agents, Deadlines.DEFAULTS, afterGrace).tick();
            assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSED);
            assertThat(row(id).pauseGeneration()).isEqualTo(2);
        }
    }

    @Test
    void aRowMovedByAControlPlaneThatIsGoneIsSettledWithoutWaitingForTheGrace() {
        // A resume and a pause whose control plane died mid-call (or lost its database), without the
        // marker; a pause of a control plane still beating. The host finished all three.
        String resumed = create();
        String paused = create();
        String busy = create();
        assertThat(http.post("/v1/sandboxes/" + resumed + "/pause", "").status()).isEqualTo(200);
        io.wrenn.controlplane.instance.ControlPlaneInstances killed = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
        io.wrenn.controlplane.instance.ControlPlaneInstances alive = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
        io.wrenn.controlplane.instance.ControlPlaneInstances reconciling = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
        killed.beat();
        alive.beat();
        SandboxStore byKilled = new SandboxStore(db.jdbi(), killed.self());
        assertThat(byKilled.transition(WireId.SANDBOX.decode(resumed).orElseThrow(), EnumSet.of(SandboxStatus.PAUSED),
                SandboxStatus.RESUMING, null)).isTrue();
        assertThat(byKilled.transition(WireId.SANDBOX.decode(paused).orElseThrow(), EnumSet.of(SandboxStatus.RUNNING),
                SandboxStatus.PAUSING, null)).isTrue();
        assertThat(new SandboxStore(db.jdbi(), alive.self()).transition(WireId.SANDBOX.decode(busy).orElseThrow(),
                EnumSet.of(SandboxStatus.RUNNING), SandboxStatus.PAUSING, null)).isTrue();
        hostReports(resumed, SandboxState.SANDBOX_STATE_RUNNING, 1);
        hostReports(paused, SandboxState.SANDBOX_STATE_PAUSED, 4);
        hostReports(busy, SandboxState.SANDBOX_STATE_PAUSED, 5);
        try (HostAgents agents = new HostAgents(FakeHostAgent.SECRET, FakeHostAgent::channel)) {
            Reconciler reconciler = new Reconciler(new HostStore(db.jdbi()), store, new TemplateStore(db.jdbi()), agents,
                    Deadlines.DEFAULTS, Clock.systemUTC(), Duration.ZERO, reconciling, null);

            reconciler.tick();
            assertThat(row(resumed).status()).as("its control plane still beats").isEqualTo(SandboxStatus.RESUMING);

            killed.retire();
            reconciler.tick();
            assertThat(row(resumed).status()).isEqualTo(SandboxStatus.RUNNING);
            assertThat(row(paused).status()).isEqualTo(SandboxStatus.PAUSED);
            assertThat(row(paused).pauseGeneration()).isEqualTo(4);
            assertThat(row(busy).status()).as("its control plane is alive").isEqualTo(SandboxStatus.PAUSING);
        } finally {
            alive.retire();
            reconciling.retire();
        }
    }

    @Test
    void aLostPauseTheHostDoesNotListIsNeverMarkedStopped() {
        String id = create();
        wrenn.agent.failPauseAndResume = Status.UNAVAILABLE.withDescription("agent died");
        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "").status()).isEqualTo(503);
        wrenn.agent.vanish(WireId.SANDBOX.decode(id).orElseThrow());

        wrenn.controlPlane.reconcile();

        // A transitioning sandbox is only ever settled from what its host reports; its owner
        // can still delete it.
        assertThat(row(id).status()).isEqualTo(SandboxStatus.PAUSING);
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
    }
}
