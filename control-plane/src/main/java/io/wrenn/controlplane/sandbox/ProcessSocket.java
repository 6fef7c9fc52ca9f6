package io.wrenn.controlplane.sandbox;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.ProcessClientMessage;
import io.wrenn.hostagent.protocol.ProcessServerMessage;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process WebSocket: one socket drives one process in a sandbox through the host agent's
 * {@code Process} call. Output goes out one frame at a time: the next message is asked of the
 * host only once the previous frame is written to the client, so a slow reader slows the
 * process instead of filling any buffer. Client messages are applied in order, each once the
 * host can take it.
 */
final class ProcessSocket {

    static final String PATH = "/v1/sandboxes/{id}/processes/stream";
    private static final Logger log = LoggerFactory.getLogger(ProcessSocket.class);
    private static final int POLICY_VIOLATION = 1008;
    private static final int SERVER_ERROR = 1011;
    /** How long a host may take to end a call after the client left (it applies what was sent, then detaches). */
    private static final java.time.Duration DETACH_GRACE = java.time.Duration.ofSeconds(30);

    private final SandboxService sandboxes;
    private final HostAgents agents;
    private final Map<String, Relay> relays = new ConcurrentHashMap<>();

    ProcessSocket(SandboxService sandboxes, HostAgents agents) {
        this.sandboxes = sandboxes;
        this.agents = agents;
    }

    /**
     * Checked on the HTTP upgrade request, so that an unknown or stopped sandbox is a plain
     * 404 / 409 before any socket exists.
     */
    SandboxService.Placement placement(Caller caller, String wireId) {
        return sandboxes.requireRunning(caller.teamId(), wireId);
    }

    void configure(WsConfig ws, java.util.function.Function<WsContext, Caller> callers) {
        ws.onConnect(ctx -> {
            ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
            Caller caller = callers.apply(ctx);
            SandboxService.Placement placement = placement(caller, ctx.pathParam("id"));
            relays.put(ctx.sessionId(), new Relay(ctx, placement));
        });
        ws.onMessage(ctx -> relay(ctx).text(ctx.message()));
        ws.onBinaryMessage(ctx -> relay(ctx).binary(ctx.data()));
        ws.onClose(ctx -> {
            Relay relay = relays.remove(ctx.sessionId());
            if (relay != null) {
                relay.clientGone();
            }
        });
        ws.onError(ctx -> {
            Relay relay = relays.remove(ctx.sessionId());
            if (relay != null) {
                relay.clientGone();
            }
        });
    }

    private Relay relay(WsContext ctx) {
        Relay relay = relays.get(ctx.sessionId());
        if (relay == null) {
            throw new IllegalStateException("no relay for socket " + ctx.sessionId());
        }
        return relay;
    }

    /** One socket and its host call. */
    private final class Relay implements ClientResponseObserver<ProcessClientMessage, ProcessServerMessage> {
        private final WsContext ctx;
        private final SandboxService.Placement placement;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private ClientCallStreamObserver<ProcessClientMessage> call;
        private boolean finished;
        /** Whether the host ended the call (completed or failed it). */
        private volatile boolean callEnded;

        Relay(WsContext ctx, SandboxService.Placement placement) {
            this.ctx = ctx;
            this.placement = placement;
        }

        void text(String message) {
            try {
                if (call == null) {
                    ProcessClientMessage opening = ProcessMessages.opening(message,
                            placement.sandbox().id().toString(), sandboxes.limits().maxExecTimeoutS());
                    call = (ClientCallStreamObserver<ProcessClientMessage>) agents.asyncStub(placement.host()).process(this);
                    send(opening);
                } else {
                    send(ProcessMessages.steering(message));
                }
            } catch (ApiException e) {
                rejectInput(e);
            }
        }

        void binary(ByteBuffer data) {
            if (call == null) {
                rejectInput(ApiException.invalid("the first message must be a JSON 'start' or 'attach'"));
                return;
            }
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            send(ProcessMessages.stdin(bytes));
        }

        /** A bad first message ends the socket; a bad later one is reported and the process goes on. */
        private void rejectInput(ApiException e) {
            ctx.session.sendText(ProcessMessages.error(e), Callback.NOOP);
            if (call == null) {
                ctx.closeSession(POLICY_VIOLATION, "invalid first message");
            }
        }

        /** Waits until the host call can take a message (flow control), then sends it. */
        private void send(ProcessClientMessage message) {
            lock.lock();
            try {
                while (!finished && !call.isReady()) {
                    ready.await();
                }
                if (!finished) {
                    call.onNext(message);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        void clientGone() {
            lock.lock();
            try {
                if (call != null && !finished) {
                    finished = true;
                    // A half-close, not a cancel: what the client sent before it left (stdin
                    // written just before closing) still reaches the process, in order. Then the
                    // host detaches: a background process lives on, any other is killed; it
                    // ends the call. A host that does not end it within the grace is cancelled.
                    call.onCompleted();
                    CompletableFuture.delayedExecutor(DETACH_GRACE.toSeconds(), TimeUnit.SECONDS).execute(() -> {
                        if (!callEnded) {
                            call.cancel("the client closed the socket", null);
                        }
                    });
                }
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ProcessClientMessage> requestStream) {
            requestStream.disableAutoRequestWithInitial(1);
            requestStream.setOnReadyHandler(() -> {
                lock.lock();
                try {
                    ready.signalAll();
                } finally {
                    lock.unlock();
                }
            });
        }

        @Override
        public void onNext(ProcessServerMessage message) {
            // Ask the host for the next message only when this one has left for the client.
            ctx.session.sendText(ProcessMessages.render(message), Callback.from(() -> call.request(1), failure -> {
                log.debug("process socket write failed: {}", failure.getMessage());
                clientGone();
            }));
        }

        @Override
        public void onError(Throwable t) {
            callEnded = true;
            boolean cancelledByUs;
            lock.lock();
            try {
                cancelledByUs = finished;
                finished = true;
                ready.signalAll();
            } finally {
                lock.unlock();
            }
            if (cancelledByUs) {
                return;
            }
            ApiException error = t instanceof StatusRuntimeException s
                    ? AgentErrors.toApi(new io.grpc.StatusException(s.getStatus()), ErrorCode.NOT_FOUND)
                    : new ApiException(ErrorCode.HOST_ERROR, "the host agent failed");
            ctx.session.sendText(ProcessMessages.error(error), Callback.NOOP);
            ctx.closeSession(error.code().httpStatus() < 500 ? POLICY_VIOLATION : SERVER_ERROR,
                    error.code().code());
        }

        @Override
        public void onCompleted() {
            callEnded = true;
            lock.lock();
            try {
                finished = true;
                ready.signalAll();
            } finally {
                lock.unlock();
            }
            // Frames leave in order, so the close follows the exit message.
            ctx.closeSession(1000, "exited");
        }
    }
}
