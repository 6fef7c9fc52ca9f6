package io.wrenn.envd.process;

import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.connect.MessageStream;
import io.wrenn.envd.connect.Rpc;
import io.wrenn.envd.json.JsonObject;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@code process.Process/Connect}: reattaches to a process by pid or tag. The client first gets the
 * output still in the process's window (everything, unless it was more than the window), then live
 * output, then the end — also when the process ended a moment ago. A {@code Connect-Timeout-Ms}
 * header ends the stream (not the process) with {@code deadline_exceeded}.
 */
public final class ConnectRpc implements Rpc.StreamHandler {
    private final ProcessRegistry registry;
    private final long keepaliveMillis;

    public ConnectRpc(ProcessRegistry registry, long keepaliveMillis) {
        this.registry = registry;
        this.keepaliveMillis = keepaliveMillis;
    }

    @Override
    public void handle(CallContext context, JsonObject request, MessageStream stream) throws IOException {
        ManagedProcess process = registry.require(Selector.from(request));
        var deadline = context.timeoutMillis().map(ms -> System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms));
        ProcessEventStreamer.stream(process, process.output().cursorFromStart(), stream,
                context.keepaliveMillis(keepaliveMillis),
                deadline);
    }
}
