package io.wrenn.controlplane.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.wrenn.controlplane.testing.FakeHostAgent;
import io.wrenn.hostagent.protocol.ListSandboxesRequest;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A call that finds its host unavailable makes the channel connect again at its next call. */
class HostAgentsTest {

    @Test
    void anUnavailableHostResetsTheChannelsReconnectBackoff() throws Exception {
        AtomicInteger resets = new AtomicInteger();
        try (FakeHostAgent agent = new FakeHostAgent();
             HostAgents agents = new HostAgents(FakeHostAgent.SECRET,
                     address -> new CountingResets(FakeHostAgent.channel(address), resets))) {
            Host host = new Host(UUID.randomUUID(), agent.address(), "online");

            agents.stub(host, Duration.ofSeconds(10)).listSandboxes(ListSandboxesRequest.getDefaultInstance());
            assertThat(resets).as("after a call that reached its host").hasValue(0);

            agent.down = true;
            assertThatThrownBy(() -> agents.stub(host, Duration.ofSeconds(10)).listSandboxes(ListSandboxesRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(resets).hasValue(1);
        }
    }

    /**
     * gRPC fails a call at once on a channel whose last attempt to connect was refused, until its
     * backoff ends (a second and more): the first call after an agent came back failed.
     */
    @Test
    void theFirstCallAfterTheAgentIsBackReachesIt() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Host host = new Host(UUID.randomUUID(), "127.0.0.1:" + port, "online");
        try (FakeHostAgent agent = new FakeHostAgent(); HostAgents agents = new HostAgents(FakeHostAgent.SECRET)) {
            assertThatThrownBy(() -> agents.stub(host, Duration.ofSeconds(10)).listSandboxes(ListSandboxesRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> agents.connectivity(host) == io.grpc.ConnectivityState.TRANSIENT_FAILURE);

            io.grpc.Server server = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
                    .forAddress(new java.net.InetSocketAddress("127.0.0.1", port)).addService(agent).build().start();
            try {
                agents.stub(host, Duration.ofSeconds(10)).listSandboxes(ListSandboxesRequest.getDefaultInstance());
            } finally {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A channel that counts {@link ManagedChannel#resetConnectBackoff()} and passes the rest on. */
    private static final class CountingResets extends ManagedChannel {
        private final ManagedChannel delegate;
        private final AtomicInteger resets;

        CountingResets(ManagedChannel delegate, AtomicInteger resets) {
            this.delegate = delegate;
            this.resets = resets;
        }

        @Override
        public void resetConnectBackoff() {
            resets.incrementAndGet();
            delegate.resetConnectBackoff();
        }

        @Override
        public io.grpc.ConnectivityState getState(boolean requestConnection) {
            return delegate.getState(requestConnection);
        }

        @Override
        public void notifyWhenStateChanged(io.grpc.ConnectivityState source, Runnable callback) {
            delegate.notifyWhenStateChanged(source, callback);
        }

        @Override
        public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
            return delegate.newCall(method, options);
        }

        @Override
        public String authority() {
            return delegate.authority();
        }

        @Override
        public ManagedChannel shutdown() {
            return delegate.shutdown();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public ManagedChannel shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
