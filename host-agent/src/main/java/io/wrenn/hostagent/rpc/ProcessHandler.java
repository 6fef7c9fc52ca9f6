package io.wrenn.hostagent.rpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.guest.ProcessStream;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.guest.GuestProcesses;
import io.wrenn.hostagent.guest.ProcessEvent;
import io.wrenn.hostagent.protocol.ExecEvent;
import io.wrenn.hostagent.protocol.ListProcessesRequest;
import io.wrenn.hostagent.protocol.ListProcessesResponse;
import io.wrenn.hostagent.protocol.ProcessAttach;
import io.wrenn.hostagent.protocol.ProcessClientMessage;
import io.wrenn.hostagent.protocol.ProcessInfo;
import io.wrenn.hostagent.protocol.ProcessServerMessage;
import io.wrenn.hostagent.protocol.ProcessStart;
import io.wrenn.hostagent.protocol.ProcessStarted;
import io.wrenn.hostagent.protocol.SignalProcessRequest;
import io.wrenn.hostagent.protocol.SignalProcessResponse;
import io.wrenn.hostagent.protocol.TerminalSize;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxManager;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Process}, {@code ListProcesses} and {@code SignalProcess}: interactive processes relayed
 * between a gRPC call and envd. Output flows one frame at a time, only as fast as the client
 * takes it; input is applied in order, each message once the previous one reached the guest.
 */
final class ProcessHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessHandler.class);
    private static final Set<String> SIGNALS = Set.of("SIGTERM", "SIGKILL");
    private static final int MAX_TERMINAL_CELLS = 10_000;

    private final SandboxManager manager;
    private final ScheduledExecutorService timers;

    ProcessHandler(SandboxManager manager, ScheduledExecutorService timers) {
        this.manager = manager;
        this.timers = timers;
    }

    StreamObserver<ProcessClientMessage> process(StreamObserver<ProcessServerMessage> observer) {
        return new Session((ServerCallStreamObserver<ProcessServerMessage>) observer);
    }

    ListProcessesResponse list(ListProcessesRequest request) {
        ListProcessesResponse.Builder response = ListProcessesResponse.newBuilder();
        for (GuestProcesses.Info info : manager.running(request.getSandboxId()).guest().processes().list()) {
            response.addProcesses(ProcessInfo.newBuilder().setPid((int) info.pid()).setTag(info.tag())
                    .setCmd(info.cmd()).addAllArgs(info.args()).setCwd(info.cwd()));
        }
        return response.build();
    }

    SignalProcessResponse signal(SignalProcessRequest request) {
        requireSignal(request.getSignal());
        manager.running(request.getSandboxId()).guest().processes().signal(request.getPid(), request.getSignal());
        return SignalProcessResponse.getDefaultInstance();
    }

    private static void requireSignal(String signal) {
        if (!SIGNALS.contains(signal)) {
            throw Statuses.invalid("signal must be one of " + SIGNALS);
        }
    }

    private static GuestProcesses.Size size(TerminalSize size) {
        if (size.getCols() == 0 || size.getRows() == 0 || (long) size.getCols() * size.getRows() > MAX_TERMINAL_CELLS) {
            throw Statuses.invalid("a terminal needs 1 to " + MAX_TERMINAL_CELLS + " cells (cols × rows)");
        }
        return new GuestProcesses.Size(size.getCols(), size.getRows());
    }

    /** One call: the first message opens the process stream, later ones steer the process. */
    private final class Session implements StreamObserver<ProcessClientMessage> {
        private final ServerCallStreamObserver<ProcessServerMessage> call;
        private final ReadyGate gate;
        private final CompletableFuture<Long> pid = new CompletableFuture<>();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicBoolean timedOut = new AtomicBoolean();
        private volatile GuestProcesses processes;
        private volatile boolean keepOnDetach;
        private boolean opened;

        Session(ServerCallStreamObserver<ProcessServerMessage> call) {
            this.call = call;
            this.gate = new ReadyGate(call);
        }

        @Override
        public void onNext(ProcessClientMessage message) {
            if (!opened) {
                opened = true;
                try {
                    open(message);
                } catch (RuntimeException e) {
                    fail(e);
                }
                return;
            }
            try {
                steer(message);
            } catch (RuntimeException e) {
                // Input for a process that just ended, or a malformed message (the control plane
                // validates them): the output stream goes on and still ends with the exit.
                LOG.debug("process input not applied: {}", e.getMessage());
            }
        }

        @Override
        public void onError(Throwable t) {
            // The client went away; ReadyGate's cancel actions detach or kill.
        }

        @Override
        public void onCompleted() {
            // Half-close: the client went away after what it sent. gRPC runs this after every
            // earlier onNext, and steering blocks until applied, so input sent just before the
            // client left reaches the process (a cancel could overtake it); then detach as a
            // cancel does, and the relay thread completes the call.
            gate.release();
        }

        private void open(ProcessClientMessage message) {
            switch (message.getMessageCase()) {
                case START -> start(message.getStart());
                case ATTACH -> attach(message.getAttach());
                default -> throw Statuses.invalid("the first message must be start or attach");
            }
        }

        private void start(ProcessStart start) {
            if (start.getCmd().isEmpty()) {
                throw Statuses.invalid("cmd is empty");
            }
            Sandbox sandbox = manager.running(start.getSandboxId());
            processes = sandbox.guest().processes();
            keepOnDetach = start.getBackground();
            String user = start.getUser().isEmpty() ? sandbox.record().defaultUser() : start.getUser();
            var spec = new GuestProcesses.Start(start.getCmd(), List.copyOf(start.getArgsList()), start.getEnvMap(),
                    start.getCwd(), user, start.hasPty() ? size(start.getPty()) : null,
                    start.getTag().isEmpty() ? null : start.getTag(), true);
            String tag = start.getTag();
            relayInBackground(start.getSandboxId(), () -> processes.start(spec), tag, start.getTimeoutS());
        }

        private void attach(ProcessAttach attach) {
            processes = manager.running(attach.getSandboxId()).guest().processes();
            // A process one attached to was started to outlive its callers.
            keepOnDetach = true;
            String tag = attach.getSelectorCase() == ProcessAttach.SelectorCase.TAG ? attach.getTag() : null;
            if (tag == null && attach.getSelectorCase() != ProcessAttach.SelectorCase.PID) {
                throw Statuses.invalid("attach needs a pid or a tag");
            }
            long selectedPid = attach.getPid();
            relayInBackground(attach.getSandboxId(), () -> processes.connect(selectedPid, tag), tag == null ? "" : tag, 0);
        }

        private void relayInBackground(String sandboxId, java.util.function.Supplier<ProcessStream> opener,
                String tag, int timeoutS) {
            Thread.ofVirtual().name("process-" + sandboxId).start(() -> {
                ScheduledFuture<?> timer = null;
                try (ProcessStream stream = opener.get()) {
                    gate.onCancel(() -> {
                        detach();
                        stream.close();
                    });
                    if (timeoutS > 0) {
                        timer = timers.schedule(() -> Thread.ofVirtual().start(() -> {
                            timedOut.set(true);
                            kill();
                        }), timeoutS, TimeUnit.SECONDS);
                    }
                    relay(stream, tag);
                } catch (RuntimeException e) {
                    fail(e);
                } finally {
                    if (gate.released() && ended.compareAndSet(false, true)) {
                        try {
                            call.onCompleted();
                        } catch (IllegalStateException alreadyClosed) {
                            // the client cancelled meanwhile
                        }
                    }
                    ended.set(true);
                    pid.completeExceptionally(new GuestException(GuestException.Kind.FAILED_PRECONDITION,
                            "the process has ended"));
                    if (timer != null) {
                        timer.cancel(false);
                    }
                }
            });
        }

        private void relay(ProcessStream stream, String tag) {
            ProcessEvent event;
            while ((event = stream.next()) != null) {
                if (!gate.awaitReady()) {
                    return;
                }
                ProcessServerMessage.Builder out = ProcessServerMessage.newBuilder();
                switch (event) {
                    case ProcessEvent.Started started -> {
                        pid.complete(started.pid());
                        if (timedOut.get()) {
                            kill();
                        }
                        out.setStarted(ProcessStarted.newBuilder().setPid((int) started.pid()).setTag(tag));
                    }
                    case ProcessEvent.Stdout data -> out.setStdout(ByteString.copyFrom(data.data()));
                    case ProcessEvent.Stderr data -> out.setStderr(ByteString.copyFrom(data.data()));
                    case ProcessEvent.Pty data -> out.setPty(ByteString.copyFrom(data.data()));
                    case ProcessEvent.Ended end -> {
                        ended.set(true);
                        out.setExited(ExecHandler.exited(end, timedOut.get()));
                        call.onNext(out.build());
                        call.onCompleted();
                        return;
                    }
                }
                call.onNext(out.build());
            }
            if (gate.awaitReady()) {
                ended.set(true);
                call.onNext(ProcessServerMessage.newBuilder().setExited(ExecEvent.Exited.newBuilder().setExitCode(-1)
                        .setTimedOut(timedOut.get()).setError("the guest agent ended the stream without an exit status")).build());
                call.onCompleted();
            }
        }

        private void steer(ProcessClientMessage message) {
            long target = awaitPid();
            switch (message.getMessageCase()) {
                case STDIN -> processes.sendInput(target, message.getStdin().toByteArray(), false);
                case CLOSE_STDIN -> processes.closeStdin(target);
                case SIGNAL -> {
                    requireSignal(message.getSignal());
                    processes.signal(target, message.getSignal());
                }
                case RESIZE -> processes.resize(target, size(message.getResize()));
                default -> throw Statuses.invalid("start and attach only come first");
            }
        }

        private long awaitPid() {
            try {
                return pid.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Statuses.invalid("interrupted");
            }
        }

        /** The client went away: a foreground process dies with its call, a background one lives on. */
        private void detach() {
            if (!keepOnDetach) {
                kill();
            }
        }

        private void kill() {
            Long p = pid.getNow(null);
            if (p != null && !ended.get()) {
                try {
                    processes.signal(p, "SIGKILL");
                } catch (RuntimeException e) {
                    LOG.debug("could not kill guest process {}: {}", p, e.getMessage());
                }
            }
        }

        private void fail(RuntimeException e) {
            if (gate.cancelled() || !ended.compareAndSet(false, true)) {
                return;
            }
            try {
                call.onError(Statuses.toStatus(e));
            } catch (IllegalStateException alreadyClosed) {
                // the call was completed meanwhile
            }
        }
    }
}
