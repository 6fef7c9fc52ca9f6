package io.wrenn.sdk.internal;

import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.Sandboxes;
import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.UsageStats;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link Sandboxes} over {@code /v1/sandboxes}. */
final class HttpSandboxes implements Sandboxes {
    private final Transport transport;
    private final HttpTemplates templates;

    HttpSandboxes(Transport transport, HttpTemplates templates) {
        this.transport = transport;
        this.templates = templates;
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        ObjectNode body = Json.object().put("template", spec.template());
        if (spec.vcpus() != null) {
            body.put("vcpus", spec.vcpus());
        }
        if (spec.memoryMb() != null) {
            body.put("memory_mb", spec.memoryMb());
        }
        if (spec.diskSizeMb() != null) {
            body.put("disk_size_mb", spec.diskSizeMb());
        }
        if (spec.timeout() != null) {
            body.put("timeout_s", spec.timeout().toSeconds());
        }
        if (spec.onTimeout() != null) {
            body.put("on_timeout", spec.onTimeout().wire());
        }
        if (!spec.env().isEmpty()) {
            ObjectNode env = body.putObject("env");
            spec.env().forEach(env::put);
        }
        if (!spec.metadata().isEmpty()) {
            ObjectNode metadata = body.putObject("metadata");
            spec.metadata().forEach(metadata::put);
        }
        if (spec.network() != null) {
            body.set("network", Json.network(spec.network()));
        }
        JsonNode created = transport.json("POST", "/v1/sandboxes", body, transport.settings().lifecycleTimeout(),
                false);
        return sandbox(Json.text(created, "id"));
    }

    HttpSandbox sandbox(String id) {
        return new HttpSandbox(transport, this, templates, id);
    }

    @Override
    public Sandbox connect(String id) {
        HttpSandbox sandbox = sandbox(id);
        sandbox.info();
        return sandbox;
    }

    @Override
    public List<SandboxInfo> list() {
        return list(EnumSet.complementOf(EnumSet.of(SandboxStatus.STOPPED)));
    }

    @Override
    public List<SandboxInfo> list(Set<SandboxStatus> statuses) {
        String status = statuses.isEmpty() ? "all"
                : statuses.stream().map(SandboxStatus::wire).sorted().collect(Collectors.joining(","));
        List<SandboxInfo> sandboxes = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("status", status);
            query.put("limit", 1000);
            query.put("cursor", cursor);
            JsonNode page = transport.get(Transport.path("/v1/sandboxes", query));
            page.path("sandboxes").forEach(node -> sandboxes.add(Json.sandbox(node)));
            cursor = Json.text(page, "next_cursor");
        } while (cursor != null);
        return sandboxes;
    }

    @Override
    public UsageStats stats(MetricsRange range) {
        return Json.usageStats(transport.get(Transport.path("/v1/sandboxes/stats", Map.of("range", range.wire()))));
    }
}
