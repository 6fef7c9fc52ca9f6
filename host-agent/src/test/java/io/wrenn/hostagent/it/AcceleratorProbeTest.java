package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.HostAgentServer;
import io.wrenn.hostagent.layout.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accelerator is decided by a real boot, once, and remembered. */
@Tag("vm")
class AcceleratorProbeTest {

    @TempDir
    Path home;

    @Test
    void probesOnceAndCachesTheVerdict() throws Exception {
        AgentFixture.assumeVmsPossible();
        // Forget the machine-wide verdict so that this test really probes.
        Files.deleteIfExists(Layout.of(home).machineRunDir().resolve("accelerator"));
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm: the probe is not needed");
        Layout layout = Layout.of(home, AgentFixture.IMAGES);
        HostAgentConfig config = HostAgentConfig.defaults(layout, "secret");

        long t0 = System.nanoTime();
        String first;
        try (HostAgentServer agent = new HostAgentServer(config).start()) {
            first = agent.sandboxes().accelerator().wireName();
        }
        long probeMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(first).isIn("kvm", "tcg");
        assertThat(layout.hostDir().resolve("accelerator")).content().endsWith(first + "\n");
        assertThat(layout.machineRunDir().resolve("accelerator")).content().endsWith(first + "\n");

        t0 = System.nanoTime();
        try (HostAgentServer agent = new HostAgentServer(config).start()) {
            assertThat(agent.sandboxes().accelerator().wireName()).isEqualTo(first);
        }
        long cachedMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("accelerator " + first + ": probe start " + probeMs + " ms, cached start " + cachedMs + " ms");
        assertThat(cachedMs).isLessThan(probeMs);
        // The probe leaves nothing behind.
        assertThat(layout.sandboxesDir()).isEmptyDirectory();

        // A fresh home on the same machine uses the machine's verdict without probing.
        Layout other = Layout.of(home.resolve("other"), AgentFixture.IMAGES);
        t0 = System.nanoTime();
        try (HostAgentServer agent = new HostAgentServer(HostAgentConfig.defaults(other, "secret")).start()) {
            assertThat(agent.sandboxes().accelerator().wireName()).isEqualTo(first);
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(probeMs);
    }
}
