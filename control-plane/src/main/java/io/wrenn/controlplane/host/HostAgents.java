package io.wrenn.controlplane.host;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.wrenn.hostagent.protocol.HostAgentGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One gRPC channel per host agent address, opened on first use and kept; every call carries
 * the shared secret. Stubs are cheap: callers take a fresh one per call with its own deadline.
 */
public final class HostAgents implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Function<String, ManagedChannel> channelFactory;
    private final CallCredentials credentials;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** Plain-text channels over the network (loopback or a private network in production). */
    public HostAgents(String secret) {
        this(secret, address -> NettyChannelBuilder.forTarget(address).usePlaintext().build());
    }

    /** For tests: channels from {@code channelFactory} (for example in-process ones). */
    public HostAgents(String secret, Function<String, ManagedChannel> channelFactory) {
        this.channelFactory = channelFactory;
        this.credentials = new BearerCredentials(secret);
    }

    /** A blocking stub for {@code host} whose calls must finish within {@code deadline}. */
    public HostAgentGrpc.HostAgentBlockingV2Stub stub(Host host, Duration deadline) {
        return stub(host).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A blocking stub for {@code host} without a deadline (streams bounded by other means). */
    public HostAgentGrpc.HostAgentBlockingV2Stub stub(Host host) {
        ManagedChannel channel = channels.computeIfAbsent(host.address(), channelFactory);
        return HostAgentGrpc.newBlockingV2Stub(channel).withCallCredentials(credentials);
    }

    /** An asynchronous stub for {@code host}, for calls streaming both ways with flow control. */
    public HostAgentGrpc.HostAgentStub asyncStub(Host host) {
        ManagedChannel channel = channels.computeIfAbsent(host.address(), channelFactory);
        return HostAgentGrpc.newStub(channel).withCallCredentials(credentials);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        channels.clear();
    }

    private static final class BearerCredentials extends CallCredentials {
        private final String secret;

        BearerCredentials(String secret) {
            this.secret = secret;
        }

        @Override
        public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
            try {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + secret);
                applier.apply(headers);
            } catch (RuntimeException e) {
                applier.fail(Status.UNAUTHENTICATED.withCause(e));
            }
        }
    }
}
