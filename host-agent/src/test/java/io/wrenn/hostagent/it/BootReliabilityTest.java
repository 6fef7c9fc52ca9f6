package io.wrenn.hostagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.StatusRuntimeException;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.protocol.DestroySandboxRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How often a cold boot hangs: N creates with a single attempt each, no retry. Off by default
 * (it boots N VMs); run with {@code -Dwrenn.bootBench=20 -Dtest=BootReliabilityTest}.
 */
@Tag("vm")
class BootReliabilityTest {

    @TempDir
    Path home;

    @Test
    void coldBootsAnswerWithoutRetries() throws Exception {
        int boots = Integer.getInteger("wrenn.bootBench", 0);
        assumeTrue(boots > 0, "set -Dwrenn.bootBench=N to run");
        AgentFixture.assumeVmsPossible();
        AgentFixture fixture = new AgentFixture(home) {
            @Override
            HostAgentConfig config(HostAgentConfig.ShutdownPolicy policy) {
                // Cold boots are what is measured: no create may be served by a warm snapshot.
                return super.config(policy).withBoot(Duration.ofSeconds(20), 1).withWarmStarts(false);
            }
        };
        List<Long> bootMs = new ArrayList<>();
        int hung = 0;
        try (AgentFixture agent = fixture.start(HostAgentConfig.ShutdownPolicy.DESTROY_VMS)) {
            for (int i = 0; i < boots; i++) {
                String id = UUID.randomUUID().toString();
                try {
                    bootMs.add(agent.stub.createSandbox(AgentFixture.minimal(id).build()).getBootMs());
                } catch (StatusRuntimeException e) {
                    hung++;
                }
                agent.stub.destroySandbox(DestroySandboxRequest.newBuilder().setSandboxId(id).build());
            }
        }
        bootMs.sort(null);
        System.out.println("boots " + boots + ", hung " + hung + ", boot_ms sorted " + bootMs);
        assertThat(hung).isZero();
    }
}
