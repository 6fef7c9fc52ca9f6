package io.wrenn.controlplane.sandbox;

import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.hostagent.protocol.WatchDirEvent;
import io.wrenn.hostagent.protocol.WatchDirRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Relays the changes under a guest directory as server-sent events: {@code event: start} once
 * watching has begun (changes from then on are reported), then {@code event: change} with
 * {@code {"type","name"}}. A comment line every 15 s keeps proxies from closing an idle stream
 * and tells us when the client has gone.
 */
final class DirectoryWatch {

    private static final long KEEPALIVE_S = 15;

    private final SandboxService sandboxes;
    private final HostAgents agents;

    DirectoryWatch(SandboxService sandboxes, HostAgents agents) {
        this.sandboxes = sandboxes;
        this.agents = agents;
    }

    void watch(UUID teamId, String wireId, String path, boolean recursive, String user, Context ctx) throws IOException {
        SandboxService.Placement placement = sandboxes.requireRunning(teamId, wireId);
        BlockingClientCall<?, WatchDirEvent> call = agents.stub(placement.host()).watchDir(WatchDirRequest.newBuilder()
                .setSandboxId(placement.sandbox().id().toString())
                .setPath(path)
                .setUser(user)
                .setRecursive(recursive)
                .build());
        boolean streaming = false;
        try {
            // The first event says whether watching could begin; until then errors are plain responses.
            WatchDirEvent first = call.read();
            if (first == null) {
                throw new ApiException(ErrorCode.HOST_ERROR, "the host ended the watch at once");
            }
            ctx.res().setStatus(200);
            ctx.res().setContentType("text/event-stream");
            ctx.res().setHeader("Cache-Control", "no-store");
            OutputStream out = ctx.res().getOutputStream();
            streaming = true;
            send(out, first);
            while (true) {
                WatchDirEvent event;
                try {
                    event = call.read(KEEPALIVE_S, TimeUnit.SECONDS);
                } catch (TimeoutException idle) {
                    out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    continue;
                }
                if (event == null) {
                    return;
                }
                send(out, event);
            }
        } catch (StatusException e) {
            if (streaming) {
                return;
            }
            throw AgentErrors.toApi(e, ErrorCode.FILE_NOT_FOUND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            call.cancel("watch ended", null);
        }
    }

    private static void send(OutputStream out, WatchDirEvent event) throws IOException {
        String text = event.getType().equals("start")
                ? "event: start\ndata: {}\n\n"
                : "event: change\ndata: " + Jsons.mapper().writeValueAsString(Map.of("type", event.getType(), "name", event.getName())) + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
