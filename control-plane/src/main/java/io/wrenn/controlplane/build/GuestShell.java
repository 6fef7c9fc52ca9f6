package io.wrenn.controlplane.build;

import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.hostagent.protocol.ExecEvent;
import io.wrenn.hostagent.protocol.ExecRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs shell scripts in a builder sandbox through its host's {@code Exec} call, streaming what
 * they print into the build's log as it comes. The call in flight is cancelled when the build
 * is ({@link #cancel}), so a cancel never waits for a step to end.
 */
final class GuestShell {

    /** Beyond a script's own timeout: time for the guest to kill it and report. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final HostAgents agents;
    private final Host host;
    private final UUID sandboxId;
    private final AtomicReference<BlockingClientCall<?, ExecEvent>> current = new AtomicReference<>();
    private volatile String cancelled;

    GuestShell(HostAgents agents, Host host, UUID sandboxId) {
        this.agents = agents;
        this.host = host;
        this.sandboxId = sandboxId;
    }

    /** What a script did: its exit code (or that it timed out), and its stdout when captured. */
    record Outcome(int exitCode, boolean timedOut, String error, String stdout) {
        boolean ok() {
            return exitCode == 0 && !timedOut && (error == null || error.isEmpty());
        }
    }

    /** Runs {@code script} with {@code sh -c}; output goes to {@code log} under {@code step} (when log is non-null). */
    Outcome run(String script, String user, String cwd, Map<String, String> env, int timeoutS, BuildLog log, int step) {
        return run(script, user, cwd, env, timeoutS, log, step, false);
    }

    /** Runs {@code script} and returns its stdout (bounded), logging only its stderr. */
    Outcome capture(String script, String user, String cwd, Map<String, String> env, int timeoutS, BuildLog log, int step) {
        return run(script, user, cwd, env, timeoutS, log, step, true);
    }

    private Outcome run(String script, String user, String cwd, Map<String, String> env, int timeoutS, BuildLog log,
                        int step, boolean captureStdout) {
        throwIfCancelled();
        BlockingClientCall<?, ExecEvent> call = agents.stub(host, Duration.ofSeconds(timeoutS).plus(GRACE))
                .exec(ExecRequest.newBuilder()
                        .setSandboxId(sandboxId.toString())
                        .setCmd("/bin/sh")
                        .addArgs("-c")
                        .addArgs(script)
                        .putAllEnv(env)
                        .setCwd(cwd == null ? "" : cwd)
                        .setUser(user == null ? "" : user)
                        .setTimeoutS(timeoutS)
                        .build());
        current.set(call);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try {
            throwIfCancelled();
            ExecEvent event;
            while ((event = call.read()) != null) {
                switch (event.getEventCase()) {
                    case STDOUT -> {
                        if (captureStdout) {
                            if (stdout.size() < (1 << 20)) {
                                event.getStdout().writeTo(stdout);
                            }
                        } else if (log != null) {
                            log.output(step, "stdout", event.getStdout().toByteArray());
                        }
                    }
                    case STDERR -> {
                        if (log != null) {
                            log.output(step, "stderr", event.getStderr().toByteArray());
                        }
                    }
                    case EXITED -> {
                        ExecEvent.Exited exited = event.getExited();
                        return new Outcome(exited.getExitCode(), exited.getTimedOut(), exited.getError(),
                                stdout.toString(StandardCharsets.UTF_8));
                    }
                    case STARTED, EVENT_NOT_SET -> {
                        // nothing to record
                    }
                }
            }
            throwIfCancelled();
            throw new StepFailed("the host ended the step without an exit status");
        } catch (StatusException e) {
            throwIfCancelled();
            throw new StepFailed("the builder stopped answering: " + e.getStatus().getCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildCancelled("interrupted");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            current.set(null);
            call.cancel("done", null);
            if (log != null) {
                log.endStep(step);
            }
        }
    }

    /** Stops whatever runs now and every later script. */
    void cancel(String why) {
        cancelled = why;
        BlockingClientCall<?, ExecEvent> call = current.get();
        if (call != null) {
            call.cancel(why, null);
        }
    }

    void throwIfCancelled() {
        if (cancelled != null) {
            throw new BuildCancelled(cancelled);
        }
    }
}
