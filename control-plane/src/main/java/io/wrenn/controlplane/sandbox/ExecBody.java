package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.ControlPlaneConfig.Limits;
import io.wrenn.controlplane.http.JsonBody;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A validated {@code POST /v1/sandboxes/{id}/exec} body; {@code cmd} is a program, not a shell line. */
record ExecBody(String cmd, List<String> args, Map<String, String> env, String cwd, String user, int timeoutS) {

    private static final Set<String> FIELDS = Set.of("cmd", "args", "env", "cwd", "user", "timeout_s");

    static ExecBody parse(byte[] body, Limits limits) {
        JsonBody json = JsonBody.parse(body, FIELDS);
        return new ExecBody(
                Inputs.program(json),
                Inputs.arguments(json),
                Inputs.env("env", json.stringMap("env")),
                Inputs.absolutePath("cwd", json.string("cwd").orElse(""), false),
                Inputs.user("user", json.string("user").orElse("")),
                json.integer("timeout_s", 1, limits.maxExecTimeoutS()).orElse(limits.defaultExecTimeoutS()));
    }
}
