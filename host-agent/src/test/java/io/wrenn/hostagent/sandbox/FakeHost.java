package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.vm.VmControl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * A host of fakes (network, disks, VMs, QMP, guests) under a temporary home, and its agent: what
 * the lifecycle and crash-recovery tests run against, without root or QEMU. The fakes outlive an
 * agent, as QEMU and namespaces outlive a real one: {@link #restart()} starts a fresh agent on the
 * same home and host.
 */
final class FakeHost {

    final Layout layout;
    final Fakes.Network network = new Fakes.Network();
    final Fakes.Disks disks = new Fakes.Disks();
    final Fakes.Vms vms = new Fakes.Vms();
    final Fakes.Control control = new Fakes.Control(vms);
    final Fakes.Guests guests = new Fakes.Guests();
    SandboxManager agent;

    FakeHost(Path home) throws IOException {
        layout = Layout.of(home, home.resolve("images"));
        Fakes.minimalTemplate(layout);
        agent = newAgent();
    }

    private SandboxManager newAgent() {
        return new SandboxManager(layout, network, disks, vms, control, guests,
                new TemplateCatalog(layout, new Fakes.FailingCommands()), new BootPolicy(Duration.ofSeconds(5), 1),
                Clock.systemUTC());
    }

    /** The agent dies (nothing of it runs on) and a new one starts on the same home and recovers. */
    SandboxManager restart() {
        agent.crashPoints(step -> { });
        agent = newAgent();
        agent.recover();
        return agent;
    }

    static SandboxSpec spec(String id, String templateTeam, String template) {
        return new SandboxSpec(id, UUID.randomUUID().toString(), templateTeam, template, 1, 256, 1024, 0, Map.of(), null, null);
    }

    /** A running sandbox booted from the {@code minimal} image. */
    String boot() {
        String id = UUID.randomUUID().toString();
        agent.create(spec(id, Layout.PLATFORM_TEAM, "minimal"));
        return id;
    }

    Sandbox.State state(String id) {
        return agent.list().stream().filter(s -> s.id().equals(id)).map(Sandbox::state).findFirst().orElse(Sandbox.State.STOPPED);
    }

    /** What the sandbox's VM is doing, null when none runs. */
    VmControl.RunState vm(String id) {
        return control.stateOf(layout.sandboxQmpSocket(id));
    }

    boolean namespaceExists(String id) {
        return network.live.contains(SandboxNetwork.namespaceName(id));
    }

    /** The agent dies at {@code step}: an Error, so no undo runs, as after a kill -9. */
    void dieAt(String step) {
        agent.crashPoints(reached -> {
            if (reached.equals(step)) {
                throw new AgentDied(step);
            }
        });
    }

    static final class AgentDied extends Error {
        AgentDied(String step) {
            super("agent died at " + step);
        }
    }
}
