package io.wrenn.envd.process;

import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The small unary methods of {@code process.Process}: List, SendInput, SendSignal, CloseStdin, Update. */
public final class ProcessControlRpcs {
    private static final Map<String, Integer> SIGNALS = Map.of(
            "SIGNAL_UNSPECIFIED", 0, "SIGNAL_SIGTERM", 15, "SIGNAL_SIGKILL", 9);

    private final ProcessRegistry registry;

    public ProcessControlRpcs(ProcessRegistry registry) {
        this.registry = registry;
    }

    /** Running processes started by envd (exited ones are not listed, though Connect still finds them for a while). */
    public Object list(CallContext context, JsonObject request) {
        List<Object> processes = new ArrayList<>();
        for (ManagedProcess p : registry.running()) {
            ProcessSpec spec = p.spec();
            var config = new LinkedHashMap<String, Object>();
            config.put("cmd", spec.cmd());
            config.put("args", spec.args());
            config.put("envs", spec.requestEnvs());
            spec.requestCwd().ifPresent(cwd -> config.put("cwd", cwd));
            var info = new LinkedHashMap<String, Object>();
            info.put("config", config);
            info.put("pid", p.pid());
            spec.tag().ifPresent(tag -> info.put("tag", tag));
            processes.add(info);
        }
        return Map.of("processes", processes);
    }

    public Object sendInput(CallContext context, JsonObject request) {
        ManagedProcess process = registry.requireRunning(Selector.from(request));
        JsonObject input = request.object("input").orElseThrow(() -> ConnectException.invalidArgument("input is required"));
        if (input.has("pty")) {
            process.writePty(input.bytes("pty").orElseThrow());
        } else {
            process.writeStdin(input.bytes("stdin").orElse(new byte[0]));
        }
        return Map.of();
    }

    public Object sendSignal(CallContext context, JsonObject request) {
        ManagedProcess process = registry.requireRunning(Selector.from(request));
        int signal = request.enumNumber("signal", SIGNALS).orElse(0);
        if (signal != 9 && signal != 15) {
            throw ConnectException.invalidArgument("signal must be SIGNAL_SIGTERM or SIGNAL_SIGKILL");
        }
        process.signal(signal);
        return Map.of();
    }

    public Object closeStdin(CallContext context, JsonObject request) {
        registry.requireRunning(Selector.from(request)).closeStdin();
        return Map.of();
    }

    public Object update(CallContext context, JsonObject request) {
        ManagedProcess process = registry.requireRunning(Selector.from(request));
        request.object("pty").ifPresent(pty -> {
            ProcessSpec.PtySize size = StartRpc.ptySize(pty);
            process.resizePty(size.cols(), size.rows());
        });
        return Map.of();
    }
}
