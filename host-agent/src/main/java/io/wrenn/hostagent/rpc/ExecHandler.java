package io.wrenn.hostagent.rpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.guest.ProcessStream;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.guest.ProcessEvent;
import io.wrenn.hostagent.protocol.ExecEvent;
import io.wrenn.hostagent.protocol.ExecRequest;
import io.wrenn.hostagent.sandbox.Sandbox;
import io.wrenn.hostagent.sandbox.SandboxManager;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Exec}: starts a process through envd and relays its events, one frame at a time and
 * only as fast as the client takes them. A timeout kills the process with SIGKILL and marks the
 * exit as timed out; a client that goes away kills it too (an exec is not a background process).
 */
final class ExecHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ExecHandler.class);

    private static final long KILL_CONFIRM_GRACE_S = 10;

    private final SandboxManager manager;
    private final ScheduledExecutorService timers;

    ExecHandler(SandboxManager manager, ScheduledExecutorService timers) {
        this.manager = manager;
        this.timers = timers;
    }

    void exec(ExecRequest request, StreamObserver<ExecEvent> observer) {
        ServerCallStreamObserver<ExecEvent> call = (ServerCallStreamObserver<ExecEvent>) observer;
        ReadyGate gate = new ReadyGate(call);
        Thread.ofVirtual().name("exec-" + request.getSandboxId()).start(() -> run(request, call, gate));
    }

    private void run(ExecRequest request, ServerCallStreamObserver<ExecEvent> call, ReadyGate gate) {
        AtomicLong pid = new AtomicLong(-1);
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        ScheduledFuture<?> timer = null;
        try {
            if (request.getCmd().isEmpty()) {
                throw Statuses.invalid("cmd is empty");
            }
            Sandbox sandbox = manager.running(request.getSandboxId());
            GuestConnection envd = sandbox.guest();
            String user = request.getUser().isEmpty() ? sandbox.record().defaultUser() : request.getUser();
            GuestConnection.StartSpec spec = new GuestConnection.StartSpec(request.getCmd(), List.copyOf(request.getArgsList()),
                    request.getEnvMap(), request.getCwd(), user);
            Runnable kill = () -> {
                long p = pid.get();
                if (p > 0 && !finished.get()) {
                    try {
                        envd.processes().signal(p, "SIGNAL_SIGKILL");
                    } catch (RuntimeException e) {
                        LOG.debug("could not kill guest process {}: {}", p, e.getMessage());
                    }
                }
            };
            try (ProcessStream stream = envd.start(spec)) {
                gate.onCancel(() -> {
                    kill.run();
                    stream.close();
                });
                if (request.getTimeoutS() > 0) {
                    timer = timers.schedule(() -> Thread.ofVirtual().start(() -> {
                        timedOut.set(true);
                        kill.run();
                        // If the guest never confirms the kill, stop waiting for it.
                        timers.schedule(() -> {
                            if (!finished.get()) {
                                stream.close();
                            }
                        }, KILL_CONFIRM_GRACE_S, TimeUnit.SECONDS);
                    }), request.getTimeoutS(), TimeUnit.SECONDS);
                }
                ExecEvent.Exited exited = relay(stream, call, gate, pid, timedOut, kill);
                finished.set(true);
                if (exited != null && gate.awaitReady()) {
                    call.onNext(ExecEvent.newBuilder().setExited(exited).build());
                    call.onCompleted();
                }
            }
        } catch (GuestException e) {
            finished.set(true);
            if (gate.cancelled()) {
                return;
            }
            if (timedOut.get()) {
                call.onNext(ExecEvent.newBuilder().setExited(ExecEvent.Exited.newBuilder()
                        .setExitCode(-1).setTimedOut(true).setError("timed out; the guest did not confirm the kill")).build());
                call.onCompleted();
            } else if (pid.get() < 0 && e.kind() != GuestException.Kind.UNAVAILABLE) {
                // envd refused to start it (no such program, bad cwd or user): an exit, not an RPC failure.
                call.onNext(ExecEvent.newBuilder().setExited(ExecEvent.Exited.newBuilder()
                        .setExitCode(-1).setError(e.getMessage())).build());
                call.onCompleted();
            } else {
                call.onError(Statuses.toStatus(e));
            }
        } catch (RuntimeException e) {
            finished.set(true);
            if (!gate.cancelled()) {
                call.onError(Statuses.toStatus(e));
            }
        } finally {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /** Relays events until the end; returns the exit to send last, or null when the client went away. */
    private static ExecEvent.Exited relay(ProcessStream stream, ServerCallStreamObserver<ExecEvent> call,
            ReadyGate gate, AtomicLong pid, AtomicBoolean timedOut, Runnable kill) {
        ProcessEvent event;
        while ((event = stream.next()) != null) {
            if (!gate.awaitReady()) {
                return null;
            }
            switch (event) {
                case ProcessEvent.Started started -> {
                    pid.set(started.pid());
                    if (timedOut.get()) {
                        kill.run();
                    }
                    call.onNext(ExecEvent.newBuilder()
                            .setStarted(ExecEvent.Started.newBuilder().setPid((int) started.pid())).build());
                }
                case ProcessEvent.Stdout out -> call.onNext(ExecEvent.newBuilder()
                        .setStdout(ByteString.copyFrom(out.data())).build());
                case ProcessEvent.Stderr err -> call.onNext(ExecEvent.newBuilder()
                        .setStderr(ByteString.copyFrom(err.data())).build());
                case ProcessEvent.Pty pty -> call.onNext(ExecEvent.newBuilder()
                        .setStdout(ByteString.copyFrom(pty.data())).build());
                case ProcessEvent.Ended ended -> {
                    return exited(ended, timedOut.get());
                }
            }
        }
        return ExecEvent.Exited.newBuilder().setExitCode(-1).setTimedOut(timedOut.get())
                .setError("the guest agent ended the stream without an exit status").build();
    }

    static ExecEvent.Exited exited(ProcessEvent.Ended ended, boolean timedOut) {
        ExecEvent.Exited.Builder exited = ExecEvent.Exited.newBuilder()
                .setExitCode(ended.exitCode())
                .setTimedOut(timedOut);
        if (!ended.exited()) {
            // Killed by a signal or never ran. For a normal exit envd's error text only repeats the
            // exit code ("exit status 3"), which is not an error of the exec itself.
            String why = ended.error() != null && !ended.error().isEmpty() ? ended.error()
                    : ended.status().isEmpty() ? "killed by a signal" : ended.status();
            exited.setError(why);
        }
        return exited.build();
    }
}
