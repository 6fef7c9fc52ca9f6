package io.wrenn.controlplane.sandbox;

import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.ExecEvent;
import java.time.Duration;
import java.util.UUID;

/** Runs one process in a sandbox and collects its output within the configured bounds. */
final class ExecService {

    /** Beyond the process's own timeout: time for the guest to kill it and report. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final SandboxService sandboxes;
    private final HostAgents agents;
    private final int outputLimit;

    ExecService(SandboxService sandboxes, HostAgents agents, int outputLimit) {
        this.sandboxes = sandboxes;
        this.agents = agents;
        this.outputLimit = outputLimit;
    }

    ExecResult exec(UUID teamId, String wireId, ExecBody request) {
        SandboxService.Placement placement = sandboxes.requireRunning(teamId, wireId);
        BoundedOutput stdout = new BoundedOutput(outputLimit);
        BoundedOutput stderr = new BoundedOutput(outputLimit);
        long start = System.nanoTime();
        BlockingClientCall<?, ExecEvent> call = agents
                .stub(placement.host(), Duration.ofSeconds(request.timeoutS()).plus(GRACE))
                .exec(io.wrenn.hostagent.protocol.ExecRequest.newBuilder()
                        .setSandboxId(placement.sandbox().id().toString())
                        .setCmd(request.cmd())
                        .addAllArgs(request.args())
                        .putAllEnv(request.env())
                        .setCwd(request.cwd())
                        .setUser(request.user())
                        .setTimeoutS(request.timeoutS())
                        .build());
        try {
            ExecEvent event;
            while ((event = call.read()) != null) {
                switch (event.getEventCase()) {
                    case STDOUT -> stdout.append(event.getStdout());
                    case STDERR -> stderr.append(event.getStderr());
                    case EXITED -> {
                        ExecEvent.Exited exited = event.getExited();
                        return ExecResult.of(stdout, stderr, exited.getExitCode(),
                                elapsedMs(start), exited.getTimedOut(), exited.getError().isEmpty() ? null : exited.getError());
                    }
                    case STARTED, EVENT_NOT_SET -> {
                        // nothing to collect
                    }
                }
            }
            throw new ApiException(ErrorCode.HOST_ERROR, "the host ended the process stream without an exit status");
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, ErrorCode.SANDBOX_NOT_FOUND);
        } catch (InterruptedException e) {
            call.cancel("request interrupted", e);
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "interrupted");
        } finally {
            call.cancel("done", null);
        }
    }

    private static long elapsedMs(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
