package io.wrenn.controlplane.console;

import io.javalin.http.Context;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.RouteTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/sandboxes/{id}/console}: the end of a sandbox's serial console (kernel messages,
 * init's and envd's output, whatever its root writes to {@code /dev/console}), for anyone who
 * may use the sandbox. JSON like every other answer, so a refusal and a success parse alike.
 */
public final class ConsoleRoutes {

    private final SandboxConsoles consoles;

    public ConsoleRoutes(SandboxConsoles consoles) {
        this.consoles = consoles;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/sandboxes/{id}/console", Access.TEAM, this::console);
    }

    private void console(Context ctx) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!name.equals("bytes")) {
                throw ApiException.invalid("unknown query parameter '" + name + "'");
            }
        }
        int bytes = bytes(ctx.queryParams("bytes"));
        SandboxConsoles.Tail tail = consoles.tail(Authenticator.caller(ctx).requireTeam(), ctx.pathParam("id"), bytes);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("console", tail.text());
        body.put("truncated", tail.truncated());
        ctx.json(body);
    }

    private static int bytes(List<String> values) {
        if (values.isEmpty()) {
            return SandboxConsoles.DEFAULT_BYTES;
        }
        String refusal = "'bytes' must be a whole number from 1 to " + SandboxConsoles.MAX_BYTES;
        if (values.size() > 1 || !values.getFirst().matches("\\d{1,7}")) {
            throw ApiException.invalid(refusal);
        }
        int bytes = Integer.parseInt(values.getFirst());
        if (bytes < 1 || bytes > SandboxConsoles.MAX_BYTES) {
            throw ApiException.invalid(refusal);
        }
        return bytes;
    }
}
