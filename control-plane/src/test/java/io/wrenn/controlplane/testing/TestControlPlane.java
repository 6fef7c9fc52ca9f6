package io.wrenn.controlplane.testing;

import io.wrenn.controlplane.ControlPlane;
import io.wrenn.controlplane.ControlPlaneConfig;
import java.time.Duration;

/** A control plane on a fresh database and a random port, wired to one fake host agent. */
public final class TestControlPlane implements AutoCloseable {

    public final FakeHostAgent agent = new FakeHostAgent();
    public final ControlPlane controlPlane;
    public final String apiKey;
    public final Http http;
    public final String jdbcUrl;

    public TestControlPlane() {
        this(ControlPlaneConfig.Limits.defaults());
    }

    public TestControlPlane(ControlPlaneConfig.Limits limits) {
        jdbcUrl = TestPostgres.newDatabase();
        ControlPlaneConfig config = ControlPlaneConfig.builder()
                .port(0)
                .jdbcUrl(jdbcUrl)
                .jdbcUser(TestPostgres.user())
                .agentSecret(FakeHostAgent.SECRET)
                .limits(limits)
                // Tests drive the reconciler by hand.
                .reconcileInterval(Duration.ofHours(1))
                .build();
        controlPlane = new ControlPlane(config, FakeHostAgent::channel).start();
        controlPlane.registerHost(agent.address());
        apiKey = controlPlane.bootstrap().orElseThrow();
        http = new Http(controlPlane.port(), apiKey);
    }

    @Override
    public void close() {
        controlPlane.close();
        agent.close();
    }
}
