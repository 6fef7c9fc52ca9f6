package io.wrenn.envd.process;

import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.connect.MessageStream;
import io.wrenn.envd.connect.Rpc;
import io.wrenn.envd.init.SandboxDefaults;
import io.wrenn.envd.json.JsonObject;
import io.wrenn.envd.user.User;
import io.wrenn.envd.user.UserResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code process.Process/Start}: starts a command and streams its events until it ends.
 *
 * <p>The process keeps running if the client goes away. Its environment is PATH, HOME, USER and
 * LOGNAME of its user, then the defaults from {@code /init}, then the request's {@code envs}. Its
 * working directory is the request's {@code cwd}, else the default workdir, else the user's home
 * (or {@code /} when that home does not exist); a requested directory that does not exist is an
 * error, never a silent fallback. A {@code Connect-Timeout-Ms} header limits how long the process
 * may run: it is killed when the time is up. With {@code pty} the process runs on a
 * pseudo-terminal of that size and its output arrives as {@code data.pty}.
 */
public final class StartRpc implements Rpc.StreamHandler {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ProcessRegistry registry;
    private final UserResolver users;
    private final SandboxDefaults defaults;
    private final long keepaliveMillis;

    public StartRpc(ProcessRegistry registry, UserResolver users, SandboxDefaults defaults, long keepaliveMillis) {
        this.registry = registry;
        this.users = users;
        this.defaults = defaults;
        this.keepaliveMillis = keepaliveMillis;
    }

    @Override
    public void handle(CallContext context, JsonObject request, MessageStream stream) throws IOException {
        ProcessSpec spec = specOf(context, request);
        ManagedProcess process = registry.start(spec, context.timeoutMillis().map(Duration::ofMillis));
        ProcessEventStreamer.stream(process, process.starterCursor(), stream,
                context.keepaliveMillis(keepaliveMillis),
                Optional.empty());
    }

    private ProcessSpec specOf(CallContext context, JsonObject request) {
        JsonObject config = request.object("process")
                .orElseThrow(() -> ConnectException.invalidArgument("process is required"));
        String cmd = config.string("cmd").filter(s -> !s.isEmpty())
                .orElseThrow(() -> ConnectException.invalidArgument("process.cmd is required"));
        User user = users.resolve(context.basicAuthUser());
        Map<String, String> requestEnvs = config.stringMap("envs");
        Optional<String> requestCwd = config.string("cwd").filter(s -> !s.isEmpty());

        Optional<ProcessSpec.PtySize> pty = request.object("pty").map(StartRpc::ptySize);
        var environment = new LinkedHashMap<String, String>();
        environment.put("PATH", DEFAULT_PATH);
        environment.put("HOME", user.home());
        environment.put("USER", user.name());
        environment.put("LOGNAME", user.name());
        if (pty.isPresent()) {
            environment.put("TERM", "xterm-256color"); // what terminal clients emulate; /init or the request may override
        }
        environment.putAll(defaults.envVars());
        environment.putAll(requestEnvs);

        Path workdir = workdir(requestCwd, user);
        Path executable = findExecutable(cmd, environment.getOrDefault("PATH", DEFAULT_PATH), workdir);
        return new ProcessSpec(cmd, config.stringList("args"), requestEnvs, requestCwd,
                request.string("tag").filter(s -> !s.isEmpty()), request.bool("stdin").orElse(true),
                user, executable, environment, workdir, pty);
    }

    /** The protocol's {@code PTY} message; a missing or zero size means 80x24. */
    static ProcessSpec.PtySize ptySize(JsonObject pty) {
        JsonObject size = pty.object("size").orElse(JsonObject.empty());
        int cols = size.integer("cols").orElse(0L).intValue();
        int rows = size.integer("rows").orElse(0L).intValue();
        if (cols < 0 || rows < 0 || cols > 0xffff || rows > 0xffff) {
            throw ConnectException.invalidArgument("pty size out of range");
        }
        return new ProcessSpec.PtySize(cols == 0 ? 80 : cols, rows == 0 ? 24 : rows);
    }

    private Path workdir(Optional<String> requestCwd, User user) {
        Optional<String> chosen = requestCwd.or(defaults::defaultWorkdir);
        if (chosen.isEmpty()) {
            Path home = Path.of(user.home());
            return Files.isDirectory(home) ? home : Path.of("/");
        }
        Path dir = users.resolvePath(chosen.get(), user);
        if (!Files.isDirectory(dir)) {
            throw ConnectException.invalidArgument("working directory " + dir + " does not exist or is not a directory");
        }
        return dir;
    }

    /** Resolves the command like a shell would: a name with a slash is a path, other names are looked up in PATH. */
    static Path findExecutable(String cmd, String path, Path workdir) {
        if (cmd.contains("/")) {
            Path candidate = workdir.resolve(cmd).normalize();
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
            throw ConnectException.invalidArgument("executable " + cmd + " not found or not executable");
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = workdir.resolve(dir).resolve(cmd);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw ConnectException.invalidArgument("executable file not found in $PATH: " + cmd);
    }
}
