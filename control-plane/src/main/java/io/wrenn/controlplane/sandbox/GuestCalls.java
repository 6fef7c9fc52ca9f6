package io.wrenn.controlplane.sandbox;

import io.grpc.StatusException;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.host.AgentErrors;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.hostagent.protocol.FileEntry;
import io.wrenn.hostagent.protocol.HostAgentGrpc;
import io.wrenn.hostagent.protocol.ListDirRequest;
import io.wrenn.hostagent.protocol.ListProcessesRequest;
import io.wrenn.hostagent.protocol.MovePathRequest;
import io.wrenn.hostagent.protocol.PathRequest;
import io.wrenn.hostagent.protocol.ProcessInfo;
import io.wrenn.hostagent.protocol.SignalProcessRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The short calls into a running sandbox (processes and filesystem), made through its host. */
final class GuestCalls {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final SandboxService sandboxes;
    private final HostAgents agents;

    GuestCalls(SandboxService sandboxes, HostAgents agents) {
        this.sandboxes = sandboxes;
        this.agents = agents;
    }

    @FunctionalInterface
    private interface HostCall<T> {
        T call(HostAgentGrpc.HostAgentBlockingV2Stub stub, String sandboxId) throws StatusException;
    }

    private <T> T call(UUID teamId, String wireId, ErrorCode notFound, HostCall<T> work) {
        SandboxService.Placement placement = sandboxes.requireRunning(teamId, wireId);
        try {
            return work.call(agents.stub(placement.host(), DEADLINE), placement.sandbox().id().toString());
        } catch (StatusException e) {
            throw AgentErrors.toApi(e, notFound);
        }
    }

    List<Map<String, Object>> listProcesses(UUID teamId, String wireId) {
        return call(teamId, wireId, ErrorCode.SANDBOX_NOT_FOUND, (stub, id) ->
                stub.listProcesses(ListProcessesRequest.newBuilder().setSandboxId(id).build())
                        .getProcessesList().stream().map(GuestCalls::process).toList());
    }

    void signal(UUID teamId, String wireId, int pid, String signal) {
        call(teamId, wireId, ErrorCode.PROCESS_NOT_FOUND, (stub, id) ->
                stub.signalProcess(SignalProcessRequest.newBuilder().setSandboxId(id).setPid(pid).setSignal(signal).build()));
    }

    Map<String, Object> stat(UUID teamId, String wireId, String path, String user) {
        return entry(call(teamId, wireId, ErrorCode.FILE_NOT_FOUND, (stub, id) -> stub.statPath(pathRequest(id, path, user))));
    }

    List<Map<String, Object>> list(UUID teamId, String wireId, String path, int depth, String user) {
        return call(teamId, wireId, ErrorCode.FILE_NOT_FOUND, (stub, id) -> stub.listDir(ListDirRequest.newBuilder()
                .setSandboxId(id).setPath(path).setUser(user).setDepth(depth).build()))
                .getEntriesList().stream().map(GuestCalls::entry).toList();
    }

    Map<String, Object> makeDir(UUID teamId, String wireId, String path, String user) {
        return entry(call(teamId, wireId, ErrorCode.FILE_NOT_FOUND, (stub, id) -> stub.makeDir(pathRequest(id, path, user))));
    }

    void remove(UUID teamId, String wireId, String path, String user) {
        call(teamId, wireId, ErrorCode.FILE_NOT_FOUND, (stub, id) -> stub.removePath(pathRequest(id, path, user)));
    }

    Map<String, Object> move(UUID teamId, String wireId, String source, String destination, String user) {
        return entry(call(teamId, wireId, ErrorCode.FILE_NOT_FOUND, (stub, id) -> stub.movePath(MovePathRequest.newBuilder()
                .setSandboxId(id).setSource(source).setDestination(destination).setUser(user).build())));
    }

    private static PathRequest pathRequest(String sandboxId, String path, String user) {
        return PathRequest.newBuilder().setSandboxId(sandboxId).setPath(path).setUser(user).build();
    }

    private static Map<String, Object> process(ProcessInfo p) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pid", p.getPid());
        json.put("tag", p.getTag().isEmpty() ? null : p.getTag());
        json.put("cmd", p.getCmd());
        json.put("args", p.getArgsList());
        json.put("cwd", p.getCwd().isEmpty() ? null : p.getCwd());
        return json;
    }

    static Map<String, Object> entry(FileEntry e) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", e.getName());
        json.put("path", e.getPath());
        json.put("type", e.getType());
        json.put("size", e.getSize());
        json.put("mode", String.format("%04o", e.getMode()));
        json.put("owner", e.getOwner());
        json.put("group", e.getGroup());
        json.put("modified_at", Instant.ofEpochMilli(e.getModifiedAtMs()).toString());
        json.put("symlink_target", e.hasSymlinkTarget() ? e.getSymlinkTarget() : null);
        return json;
    }
}
