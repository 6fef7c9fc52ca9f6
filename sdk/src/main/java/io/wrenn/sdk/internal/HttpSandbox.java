package io.wrenn.sdk.internal;

import io.wrenn.sdk.Commands;
import io.wrenn.sdk.Filesystem;
import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.NetworkPolicy;
import io.wrenn.sdk.NetworkState;
import io.wrenn.sdk.SandboxMetrics;
import io.wrenn.sdk.SandboxNetwork;
import io.wrenn.sdk.Pty;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.Template;
import io.wrenn.sdk.WrennException;
import tools.jackson.databind.JsonNode;

/** {@link Sandbox} over {@code /v1/sandboxes/{id}}. */
final class HttpSandbox implements Sandbox {
    private final Transport transport;
    private final HttpSandboxes sandboxes;
    private final HttpTemplates templates;
    private final String id;
    private final String path;
    private final HttpCommands commands;

    HttpSandbox(Transport transport, HttpSandboxes sandboxes, HttpTemplates templates, String id) {
        this.transport = transport;
        this.sandboxes = sandboxes;
        this.templates = templates;
        this.id = id;
        this.path = "/v1/sandboxes/" + Transport.segment(id);
        this.commands = new HttpCommands(transport, id);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SandboxInfo info() {
        return Json.sandbox(transport.get(path));
    }

    @Override
    public Commands commands() {
        return commands;
    }

    @Override
    public Pty pty() {
        return commands;
    }

    @Override
    public Filesystem files() {
        return new HttpFilesystem(transport, id, null);
    }

    @Override
    public SandboxNetwork network() {
        return new SandboxNetwork() {
            @Override
            public NetworkState get() {
                return Json.networkState(transport.get(path + "/network"));
            }

            @Override
            public NetworkState update(NetworkPolicy policy) {
                // A PUT of the whole object: sending it twice leaves the same settings.
                return Json.networkState(transport.json("PUT", path + "/network", Json.network(policy),
                        transport.settings().requestTimeout(), true));
            }
        };
    }

    @Override
    public SandboxMetrics metrics(MetricsRange range) {
        return Json.sandboxMetrics(transport.get(Transport.path(path + "/metrics",
                java.util.Map.of("range", range.wire()))));
    }

    @Override
    public java.util.List<io.wrenn.sdk.SandboxEvent> logs(int limit) {
        java.util.List<io.wrenn.sdk.SandboxEvent> events = new java.util.ArrayList<>();
        transport.get(Transport.path(path + "/logs", java.util.Map.of("limit", limit))).path("events")
                .forEach(node -> events.add(Json.sandboxEvent(node)));
        return events;
    }

    @Override
    public io.wrenn.sdk.SandboxConsole console(int maxBytes) {
        JsonNode answer = transport.get(Transport.path(path + "/console", java.util.Map.of("bytes", maxBytes)));
        String text = Json.text(answer, "console");
        return new io.wrenn.sdk.SandboxConsole(text == null ? "" : text, answer.path("truncated").asBoolean());
    }

    @Override
    public SandboxInfo pause() {
        return Json.sandbox(transport.json("POST", path + "/pause", Json.object(),
                transport.settings().lifecycleTimeout(), false));
    }

    @Override
    public SandboxInfo resume() {
        return Json.sandbox(transport.json("POST", path + "/resume", Json.object(),
                transport.settings().lifecycleTimeout(), false));
    }

    @Override
    public Template snapshot(String name) {
        return templates.snapshot(id, name);
    }

    @Override
    public Template saveImage(String name) {
        return templates.image(id, name);
    }

    @Override
    public java.util.List<Sandbox> fork(int count) {
        JsonNode answer = transport.json("POST", path + "/fork", Json.object().put("count", count),
                transport.settings().lifecycleTimeout(), false);
        java.util.List<Sandbox> forks = new java.util.ArrayList<>();
        WrennException failure = null;
        for (JsonNode entry : answer.path("forks")) {
            JsonNode error = entry.get("error");
            if (error != null && failure == null) {
                failure = WrennException.of(error.path("status").asInt(500), Json.text(error, "code"), Json.text(error, "message"));
            } else if (error == null) {
                forks.add(sandboxes.sandbox(Json.text(entry.get("sandbox"), "id")));
            }
        }
        if (failure != null) {
            forks.forEach(Sandbox::kill);
            throw failure;
        }
        return forks;
    }

    @Override
    public void kill() {
        transport.json("DELETE", path, null, transport.settings().lifecycleTimeout(), true);
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return "Sandbox[" + id + "]";
    }
}
