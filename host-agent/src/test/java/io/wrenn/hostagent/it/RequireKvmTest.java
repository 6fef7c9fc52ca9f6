package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.HostAgentServer;
import io.wrenn.hostagent.layout.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On this machine KVM cannot boot a Linux guest (FACTS.md), so an agent that must have KVM
 * refuses to start, saying why, and leaves nothing running.
 */
@Tag("vm")
class RequireKvmTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path home;

    @Test
    void anAgentThatRequiresKvmRefusesToStartWhereOnlyTcgRunsGuests() throws Exception {
        AgentFixture.assumeVmsPossible();
        HostAgentServer agent = new HostAgentServer(HostAgentConfig.defaults(Layout.of(home, AgentFixture.IMAGES), AgentFixture.SECRET)
                .withAccelerator(HostAgentConfig.AcceleratorChoice.AUTO)
                .withShutdownPolicy(HostAgentConfig.ShutdownPolicy.DESTROY_VMS))
                .requireKvm(true);

        assertThatThrownBy(agent::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("refusing to start: WRENN_REQUIRE_KVM is set and guests cannot run under KVM on this host");
        try (var sandboxes = Files.list(Layout.of(home, AgentFixture.IMAGES).sandboxesDir())) {
            assertThat(sandboxes.toList()).as("the probe's VM is gone").isEmpty();
        }
        agent.close();
    }
}
