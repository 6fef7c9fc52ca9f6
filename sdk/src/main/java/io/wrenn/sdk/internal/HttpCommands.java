package io.wrenn.sdk.internal;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Commands;
import io.wrenn.sdk.ProcessInfo;
import io.wrenn.sdk.Pty;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/** {@link Commands} and {@link Pty} of one sandbox: each process on a WebSocket of its own. */
final class HttpCommands implements Commands, Pty {
    private final Transport transport;
    private final String sandboxId;
    private final String path;

    HttpCommands(Transport transport, String sandboxId) {
        this.transport = transport;
        this.sandboxId = sandboxId;
        this.path = "/v1/sandboxes/" + Transport.segment(sandboxId);
    }

    @Override
    public CommandResult run(String script) {
        return run(CommandSpec.shell(script));
    }

    @Override
    public CommandResult run(CommandSpec spec) {
        try (CommandHandle handle = start(spec)) {
            return handle.waitFor();
        }
    }

    @Override
    public CommandHandle start(CommandSpec spec) {
        ObjectNode start = Json.object().put("type", "start").put("cmd", spec.cmd());
        spec.args().forEach(start.putArray("args")::add);
        if (!spec.env().isEmpty()) {
            ObjectNode env = start.putObject("env");
            spec.env().forEach(env::put);
        }
        if (spec.cwd() != null) {
            start.put("cwd", spec.cwd());
        }
        if (spec.user() != null) {
            start.put("user", spec.user());
        }
        if (spec.timeout() != null) {
            start.put("timeout_s", Math.max(1, spec.timeout().toSeconds()));
        }
        if (spec.tag() != null) {
            start.put("tag", spec.tag());
        }
        if (spec.background()) {
            start.put("background", true);
        }
        if (spec.pty() != null) {
            start.put("pty", true).put("cols", spec.pty().cols()).put("rows", spec.pty().rows());
        }
        ProcessConnection connection = ProcessConnection.open(transport, sandboxId, start, spec);
        if (spec.stdin() != null) {
            connection.sendStdin(spec.stdin());
            connection.closeStdin();
        }
        return connection;
    }

    @Override
    public CommandHandle attach(int pid, CommandSpec callbacks) {
        return ProcessConnection.open(transport, sandboxId, Json.object().put("type", "attach").put("pid", pid),
                callbacks);
    }

    @Override
    public CommandHandle attach(String tag, CommandSpec callbacks) {
        return ProcessConnection.open(transport, sandboxId, Json.object().put("type", "attach").put("tag", tag),
                callbacks);
    }

    @Override
    public List<ProcessInfo> list() {
        List<ProcessInfo> processes = new ArrayList<>();
        transport.get(path + "/processes").path("processes").forEach(node -> processes.add(Json.process(node)));
        return processes;
    }

    @Override
    public void kill(int pid) {
        transport.json("POST", path + "/processes/" + pid + "/signal", Json.object().put("signal", "SIGKILL"),
                transport.settings().requestTimeout(), true);
    }

    @Override
    public CommandHandle open(int cols, int rows, Consumer<byte[]> onData) {
        return start(CommandSpec.loginShell(cols, rows).onPtyData(onData).build());
    }
}
