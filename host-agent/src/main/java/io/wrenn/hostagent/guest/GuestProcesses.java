package io.wrenn.hostagent.guest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** envd's {@code process.Process} RPCs for one guest. */
public final class GuestProcesses {

    /** A terminal size in character cells. */
    public record Size(int cols, int rows) {
    }

    /**
     * What to start.
     *
     * @param pty   null: plain pipes; else the process runs on a pseudo-terminal of this size
     * @param tag   null or a name to find the process by later
     * @param stdin whether stdin stays open for {@link #sendInput}
     */
    public record Start(String cmd, List<String> args, Map<String, String> envs, String cwd, String user, Size pty,
            String tag, boolean stdin) {
    }

    /** A running process as envd lists it. */
    public record Info(long pid, String tag, String cmd, List<String> args, String cwd) {
    }

    private final EnvdClient envd;

    GuestProcesses(EnvdClient envd) {
        this.envd = envd;
    }

    /** {@code Start}: its event stream, which begins with the pid. */
    public ProcessStream start(Start start) {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("cmd", start.cmd());
        process.put("args", start.args());
        process.put("envs", start.envs());
        if (start.cwd() != null && !start.cwd().isEmpty()) {
            process.put("cwd", start.cwd());
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("process", process);
        request.put("stdin", start.stdin());
        if (start.pty() != null) {
            request.put("pty", Map.of("size", size(start.pty())));
        }
        if (start.tag() != null && !start.tag().isEmpty()) {
            request.put("tag", start.tag());
        }
        return new ProcessStream(envd.serverStream("process.Process/Start", request, start.user(), "start"));
    }

    /**
     * {@code Connect} by pid (when {@code tag} is null) or tag: the output still retained in the
     * guest, then live output, then the end, also for a process that ended moments ago.
     */
    public ProcessStream connect(long pid, String tag) {
        return new ProcessStream(envd.serverStream("process.Process/Connect",
                Map.of("process", selector(pid, tag)), null, "attach"));
    }

    public void sendInput(long pid, byte[] data, boolean pty) {
        envd.unary("process.Process/SendInput", Map.of("process", selector(pid, null),
                "input", Map.of(pty ? "pty" : "stdin", Base64.getEncoder().encodeToString(data))), null, "stdin");
    }

    public void closeStdin(long pid) {
        envd.unary("process.Process/CloseStdin", Map.of("process", selector(pid, null)), null, "close stdin");
    }

    /** {@code signal} is {@code SIGTERM} or {@code SIGKILL}; it reaches the process's whole group. */
    public void signal(long pid, String signal) {
        String name = signal.startsWith("SIGNAL_") ? signal : "SIGNAL_" + signal;
        envd.unary("process.Process/SendSignal", Map.of("process", selector(pid, null), "signal", name), null, "signal");
    }

    public void resize(long pid, Size size) {
        envd.unary("process.Process/Update", Map.of("process", selector(pid, null),
                "pty", Map.of("size", size(size))), null, "resize");
    }

    public List<Info> list() {
        List<Info> processes = new ArrayList<>();
        for (JsonNode p : envd.unary("process.Process/List", Map.of(), null, "list processes").path("processes")) {
            JsonNode config = p.path("config");
            List<String> args = new ArrayList<>();
            config.path("args").forEach(a -> args.add(a.asString()));
            processes.add(new Info(p.path("pid").asLong(), p.path("tag").asString(""), config.path("cmd").asString(""),
                    args, config.path("cwd").asString("")));
        }
        return processes;
    }

    private static Map<String, Object> selector(long pid, String tag) {
        return tag != null ? Map.of("tag", tag) : Map.of("pid", pid);
    }

    private static Map<String, Object> size(Size size) {
        return Map.of("cols", size.cols(), "rows", size.rows());
    }
}
