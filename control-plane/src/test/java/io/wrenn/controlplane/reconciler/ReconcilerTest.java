package io.wrenn.controlplane.reconciler;

import io.wrenn.hostagent.protocol.Deadlines;
import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.ControlPlane;
import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.testing.FakeHostAgent;
import io.wrenn.controlplane.testing.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.hostagent.protocol.Sandbox;
import io.wrenn.hostagent.protocol.SandboxState;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

    TestControlPlane wrenn;
    Http http;

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
        http = wrenn.http;
    }

    @AfterEach
    void stop() {
        wrenn.close();
    }

    private String create(String body) {
        Http.Response response = http.post("/v1/sandboxes", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    private String status(String id) {
        return http.get("/v1/sandboxes/" + id).json().get("status").stringValue();
    }

    private String reason(String id) {
        return http.get("/v1/sandboxes/" + id).json().get("status_reason").stringValue();
    }

    private static UUID uuid(String id) {
        return WireId.SANDBOX.decode(id).orElseThrow();
    }

    @Test
    void aRunningSandboxTheHostLostBecomesStopped() {
        String id = create("{\"template\":\"minimal\"}");
        wrenn.agent.vanish(uuid(id));
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("stopped");
        assertThat(reason(id)).isEqualTo("vm_exited");
    }

    @Test
    void anExpiredSandboxStopsWithReasonTimeout() {
        String id = create("{\"template\":\"minimal\",\"timeout_s\":1}");
        wrenn.agent.vanish(uuid(id)); // the host's reaper took it
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("stopped");
        assertThat(reason(id)).isEqualTo("timeout");
    }

    @Test
    void aVmTheHostListsAsStoppedIsStoppedAndCleanedUp() {
        String id = create("{\"template\":\"minimal\"}");
        String vmId = uuid(id).toString();
        wrenn.agent.sandboxes.computeIfPresent(vmId, (k, vm) -> vm.toBuilder().setState(SandboxState.SANDBOX_STATE_STOPPED).build());
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("stopped");
        assertThat(wrenn.agent.destroyed).contains(vmId);
    }

    @Test
    void aVmTheDatabaseDoesNotKnowIsDestroyed() {
        String stranger = UUID.randomUUID().toString();
        wrenn.agent.sandboxes.put(stranger, Sandbox.newBuilder().setSandboxId(stranger)
                .setState(SandboxState.SANDBOX_STATE_RUNNING).build());
        String kept = create("{\"template\":\"minimal\"}");
        wrenn.controlPlane.reconcile();
        assertThat(wrenn.agent.destroyed).containsExactly(stranger);
        assertThat(wrenn.agent.sandboxes).doesNotContainKey(stranger);
        assertThat(status(kept)).isEqualTo("running");
    }

    @Test
    void aVmTheDatabaseKnowsAsStoppedIsDestroyed() {
        String id = create("{\"template\":\"minimal\"}");
        Sandbox vm = wrenn.agent.sandboxes.get(uuid(id).toString());
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        wrenn.agent.sandboxes.put(vm.getSandboxId(), vm); // it came back somehow
        wrenn.agent.destroyed.clear();
        wrenn.controlPlane.reconcile();
        assertThat(wrenn.agent.destroyed).containsExactly(vm.getSandboxId());
    }

    @Test
    void anUnreachableHostMakesItsSandboxesUnknownUntilItAnswers() {
        String id = create("{\"template\":\"minimal\"}");
        wrenn.agent.down = true;
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("unknown");
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("unknown");
        assertThat(wrenn.agent.destroyed).isEmpty();

        // While unknown, exec is refused, and creating finds no host.
        assertThat(http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\"}").status()).isEqualTo(409);
        Http.Response noHost = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(noHost.status()).isEqualTo(503);
        assertThat(noHost.code()).isEqualTo("no_host_available");

        wrenn.agent.down = false;
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("running");
    }

    @Test
    void anUnknownSandboxTheHostNoLongerHasBecomesStopped() {
        String id = create("{\"template\":\"minimal\"}");
        wrenn.agent.down = true;
        wrenn.controlPlane.reconcile();
        wrenn.agent.vanish(uuid(id));
        wrenn.agent.down = false;
        wrenn.controlPlane.reconcile();
        assertThat(status(id)).isEqualTo("stopped");
    }

    @Test
    void aStartingRowPastTheCreateDeadlineBecomesErrorOrRunning() {
        try (Database db = Database.open(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             HostAgents agents = new HostAgents(FakeHostAgent.SECRET, FakeHostAgent::channel)) {
            SandboxStore store = new SandboxStore(db.jdbi());
            HostStore hosts = new HostStore(db.jdbi());
            UUID hostId = hosts.upsert(ControlPlane.LOCAL_HOST, wrenn.agent.address());
            UUID team = db.jdbi().withHandle(h -> h.createQuery("SELECT team_id FROM api_keys").mapTo(UUID.class).one());
            UUID template = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM templates WHERE name = 'minimal'").mapTo(UUID.class).one());
            UUID abandoned = UUID.randomUUID();
            UUID adopted = UUID.randomUUID();
            store.insertStarting(abandoned, team, hostId, template, 1, 512, 5120, 300, List.of(), Map.of(), io.wrenn.controlplane.sandbox.OnTimeout.DESTROY);
            store.insertStarting(adopted, team, hostId, template, 1, 512, 5120, 300, List.of(), Map.of(), io.wrenn.controlplane.sandbox.OnTimeout.DESTROY);
            wrenn.agent.sandboxes.put(adopted.toString(), Sandbox.newBuilder().setSandboxId(adopted.toString())
                    .setState(SandboxState.SANDBOX_STATE_RUNNING).setStartedAtMs(System.currentTimeMillis()).build());

            // Within the deadline, a starting row belongs to its creator.
            new Reconciler(hosts, store, new io.wrenn.controlplane.template.TemplateStore(db.jdbi()), agents, Deadlines.DEFAULTS, Clock.systemUTC()).tick();
            assertThat(store.find(abandoned).orElseThrow().status()).isEqualTo(SandboxStatus.STARTING);
            assertThat(store.find(adopted).orElseThrow().status()).isEqualTo(SandboxStatus.STARTING);

            Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
            new Reconciler(hosts, store, new io.wrenn.controlplane.template.TemplateStore(db.jdbi()), agents, Deadlines.DEFAULTS, later).tick();
            assertThat(store.find(abandoned).orElseThrow().status()).isEqualTo(SandboxStatus.ERROR);
            assertThat(store.find(adopted).orElseThrow().status()).isEqualTo(SandboxStatus.RUNNING);
            assertThat(wrenn.agent.destroyed).isEmpty();
        }
    }

    @Test
    void aStartingRowWhoseControlPlaneIsGoneIsSettledWithoutWaitingForTheCreateDeadline() {
        try (Database db = Database.open(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             HostAgents agents = new HostAgents(FakeHostAgent.SECRET, FakeHostAgent::channel)) {
            HostStore hosts = new HostStore(db.jdbi());
            UUID hostId = hosts.upsert(ControlPlane.LOCAL_HOST, wrenn.agent.address());
            UUID team = db.jdbi().withHandle(h -> h.createQuery("SELECT team_id FROM api_keys").mapTo(UUID.class).one());
            UUID template = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM templates WHERE name = 'minimal'").mapTo(UUID.class).one());
            io.wrenn.controlplane.instance.ControlPlaneInstances killed = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
            io.wrenn.controlplane.instance.ControlPlaneInstances alive = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
            io.wrenn.controlplane.instance.ControlPlaneInstances reconciling = new io.wrenn.controlplane.instance.ControlPlaneInstances(db.jdbi());
            killed.beat();
            alive.beat();
            UUID lost = UUID.randomUUID();
            UUID booted = UUID.randomUUID();
            UUID booting = UUID.randomUUID();
            UUID busy = UUID.randomUUID();
            SandboxStore byKilled = new SandboxStore(db.jdbi(), killed.self());
            for (UUID id : List.of(lost, booted, booting)) {
                byKilled.insertStarting(id, team, hostId, template, 1, 512, 5120, 300, List.of(), Map.of(), io.wrenn.controlplane.sandbox.OnTimeout.DESTROY);
            }
            new SandboxStore(db.jdbi(), alive.self()).insertStarting(busy, team, hostId, template, 1, 512, 5120, 300, List.of(),
                    Map.of(), io.wrenn.controlplane.sandbox.OnTimeout.DESTROY);
            wrenn.agent.sandboxes.put(booted.toString(), Sandbox.newBuilder().setSandboxId(booted.toString())
                    .setState(SandboxState.SANDBOX_STATE_RUNNING).setStartedAtMs(System.currentTimeMillis()).build());
            wrenn.agent.sandboxes.put(booting.toString(), Sandbox.newBuilder().setSandboxId(booting.toString())
                    .setState(SandboxState.SANDBOX_STATE_STARTING).build());
            SandboxStore store = new SandboxStore(db.jdbi());
            Reconciler reconciler = new Reconciler(hosts, store, new io.wrenn.controlplane.template.TemplateStore(db.jdbi()), agents,
                    Deadlines.DEFAULTS, Clock.systemUTC(), Duration.ZERO, reconciling, null);

            reconciler.tick();
            assertThat(store.find(lost).orElseThrow().status()).as("its creator still beats").isEqualTo(SandboxStatus.STARTING);

            killed.retire(); // killed: gone as if it had stopped beating GONE_AFTER ago
            reconciler.tick();
            var lostRow = store.find(lost).orElseThrow();
            assertThat(lostRow.status()).isEqualTo(SandboxStatus.ERROR);
            assertThat(lostRow.statusReason()).contains("control plane stopped");
            assertThat(store.find(booted).orElseThrow().status()).as("the host finished it").isEqualTo(SandboxStatus.RUNNING);
            assertThat(store.find(booting).orElseThrow().status()).as("the host still boots it").isEqualTo(SandboxStatus.STARTING);
            assertThat(store.find(busy).orElseThrow().status()).as("its creator is alive").isEqualTo(SandboxStatus.STARTING);

            wrenn.agent.sandboxes.put(booting.toString(), Sandbox.newBuilder().setSandboxId(booting.toString())
                    .setState(SandboxState.SANDBOX_STATE_RUNNING).setStartedAtMs(System.currentTimeMillis()).build());
            reconciler.tick();
            assertThat(store.find(booting).orElseThrow().status()).isEqualTo(SandboxStatus.RUNNING);
            for (UUID id : List.of(booted, booting)) {
                wrenn.agent.sandboxes.remove(id.toString());
                store.transition(id, java.util.EnumSet.of(SandboxStatus.RUNNING), SandboxStatus.STOPPED, null);
            }
            store.transition(busy, java.util.EnumSet.of(SandboxStatus.STARTING), SandboxStatus.ERROR, null);
            alive.retire();
        }
    }

    @Test
    void theLocalHostKeepsItsSandboxesWhenItsAgentComesBackOnANewAddress() {
        String id = create("{\"template\":\"minimal\"}");
        try (FakeHostAgent restarted = new FakeHostAgent()) {
            restarted.sandboxes.putAll(wrenn.agent.sandboxes); // it re-adopted its VMs
            wrenn.agent.down = true; // the old address is gone
            wrenn.controlPlane.registerHost(restarted.address());
            wrenn.controlPlane.reconcile();
            assertThat(status(id)).isEqualTo("running");
            assertThat(restarted.destroyed).isEmpty();
            Http.Response exec = http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\",\"args\":[\"hi\"]}");
            assertThat(exec.status()).isEqualTo(200);
            assertThat(restarted.execs).hasSize(1);
        }
    }

    @Test
    void aDeleteWhileTheHostIsDownIsFinishedLater() {
        String id = create("{\"template\":\"minimal\"}");
        wrenn.agent.down = true;
        Http.Response delete = http.delete("/v1/sandboxes/" + id);
        assertThat(delete.status()).isEqualTo(503);
        assertThat(delete.code()).isEqualTo("host_unavailable");
        assertThat(status(id)).isEqualTo("stopping");
        wrenn.agent.down = false;
        // A retried delete finishes the job at once.
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(status(id)).isEqualTo("stopped");
        assertThat(wrenn.agent.sandboxes).doesNotContainKey(uuid(id).toString());
    }

    @Test
    void aPausedSandboxIsNeverStoppedAndATimeoutPauseOnTheHostIsAdopted() {
        String timedOut = create("{\"template\":\"minimal\",\"on_timeout\":\"pause\"}");
        String paused = create("{\"template\":\"minimal\"}");
        // The host's reaper paused the first one; the second is paused and the host does not list it.
        wrenn.agent.sandboxes.compute(uuid(timedOut).toString(), (k, vm) -> vm.toBuilder()
                .setState(SandboxState.SANDBOX_STATE_PAUSED).setPauseGeneration(1).build());
        wrenn.agent.sandboxes.remove(uuid(paused).toString());
        try (Database db = Database.open(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password())) {
            new SandboxStore(db.jdbi()).markPaused(uuid(paused), java.util.EnumSet.of(SandboxStatus.RUNNING), 3, null);
        }

        wrenn.controlPlane.reconcile();

        assertThat(status(timedOut)).isEqualTo("paused");
        assertThat(status(paused)).isEqualTo("paused");
        wrenn.agent.down = true;
        wrenn.controlPlane.reconcile();
        assertThat(status(timedOut)).isEqualTo("paused");
        assertThat(status(paused)).isEqualTo("paused");
        assertThat(wrenn.agent.destroyed).isEmpty();
    }
}
