package io.wrenn.controlplane.host;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.wrenn.hostagent.protocol.HostAgentGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One gRPC channel per host agent address, opened on first use and kept; every call carries
 * the shared secret. Stubs are cheap: callers take a fresh one per call with its own deadline.
 *
 * <p>A call that finds its host unavailable resets the channel's reconnect backoff. Left alone,
 * gRPC waits longer and longer between attempts while an agent is down (up to two minutes) and
 * fails every call at once meanwhile, so a restarted agent stayed unreachable for as long after it
 * was back; now the next call (a reconciler pass, a client's retry) connects at once.
 *
 * <p>And a call that finds its channel failed (its last attempt to connect was refused) first has
 * it try once more, for up to {@link #RECONNECT_WAIT}: gRPC fails such a call at once without
 * trying, so the first call after an agent came back answered 503 although the agent was there.
 */
public final class HostAgents implements AutoCloseable {

    /** How long a call waits for one more attempt to connect on a failed channel (a refusal is quick). */
    static final Duration RECONNECT_WAIT = Duration.ofSeconds(3);
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
        return HostAgentGrpc.newBlockingV2Stub(channel(host)).withCallCredentials(credentials);
    }

    /** An asynchronous stub for {@code host}, for calls streaming both ways with flow control. */
    public HostAgentGrpc.HostAgentStub asyncStub(Host host) {
        return HostAgentGrpc.newStub(channel(host)).withCallCredentials(credentials);
    }

    private Channel channel(Host host) {
        ManagedChannel channel = channels.computeIfAbsent(host.address(), channelFactory);
        return ClientInterceptors.intercept(channel, new ReconnectWhenUnavailable(channel));
    }

    /** Resets the channel's reconnect backoff when a call ends UNAVAILABLE (see the class comment). */
    private record ReconnectWhenUnavailable(ManagedChannel channel) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    reconnectIfFailed(channel);
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            if (status.getCode() == Status.Code.UNAVAILABLE) {
                                channel.resetConnectBackoff();
                            }
                            super.onClose(status, trailers);
                        }
                    }, headers);
                }
            };
        }
    }

    /** The state of the channel to {@code host} (no channel yet: idle); for tests. */
    ConnectivityState connectivity(Host host) {
        ManagedChannel channel = channels.get(host.address());
        return channel == null ? ConnectivityState.IDLE : channel.getState(false);
    }

    /**
     * On a channel whose last attempt to connect failed, starts one attempt now and waits, up to
     * {@link #RECONNECT_WAIT}, until it connects or fails again.
     */
    private static void reconnectIfFailed(ManagedChannel channel) {
        ConnectivityState state = channel.getState(false);
        if (state != ConnectivityState.TRANSIENT_FAILURE) {
            return; // ready, or a call waits for the attempt under way (idle and connecting calls are held)
        }
        channel.resetConnectBackoff();
        long deadline = System.nanoTime() + RECONNECT_WAIT.toNanos();
        boolean attempted = false;
        while (state != ConnectivityState.READY && state != ConnectivityState.SHUTDOWN
                && !(attempted && state == ConnectivityState.TRANSIENT_FAILURE)) {
            long left = deadline - System.nanoTime();
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(state, changed::countDown);
            try {
                if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            attempted = true; // the state moved since the backoff was reset: an attempt began
            state = channel.getState(false);
        }
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
