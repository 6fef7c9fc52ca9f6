package io.wrenn.sdk.internal;

import io.wrenn.sdk.ApiKey;
import io.wrenn.sdk.BuildInfo;
import io.wrenn.sdk.BuildLogLine;
import io.wrenn.sdk.FileEntry;
import io.wrenn.sdk.NetworkPolicy;
import io.wrenn.sdk.NetworkState;
import io.wrenn.sdk.SandboxMetrics;
import io.wrenn.sdk.UsageStats;
import io.wrenn.sdk.OnTimeout;
import io.wrenn.sdk.ProcessInfo;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.Template;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The wire's JSON and the SDK's records, both ways. Mapped by hand, field by field, so that a
 * field the server adds never breaks a client and the records carry no Jackson annotations.
 */
public final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    static JsonNode read(String text) {
        return MAPPER.readTree(text);
    }

    static JsonNode read(byte[] bytes) {
        return MAPPER.readTree(bytes);
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : OffsetDateTime.parse(text).toInstant();
    }

    static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asInt();
    }

    static Long longValue(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asLong();
    }

    static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        if (array != null) {
            array.forEach(item -> strings.add(item.asString()));
        }
        return strings;
    }

    static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        if (object != null && object.isObject()) {
            object.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue().asString()));
        }
        return map;
    }

    static BuildInfo build(JsonNode node) {
        return new BuildInfo(text(node, "id"), text(node, "name"), text(node, "status"), text(node, "reason"),
                node.path("current_step").asInt(), node.path("total_steps").asInt(), integer(node, "failed_step"),
                node.path("cached_steps").asInt(), text(node, "template_id"), instant(node, "created_at"),
                instant(node, "finished_at"));
    }

    static BuildLogLine buildLogLine(JsonNode node) {
        return new BuildLogLine(node.path("seq").asLong(), node.path("step").asInt(), text(node, "stream"),
                text(node, "line"), instant(node, "at"));
    }

    static SandboxInfo sandbox(JsonNode node) {
        Integer timeout = integer(node, "timeout_s");
        String onTimeout = text(node, "on_timeout");
        return new SandboxInfo(text(node, "id"), SandboxStatus.fromWire(text(node, "status")),
                text(node, "status_reason"), text(node, "template"), node.path("vcpus").asInt(),
                node.path("memory_mb").asInt(), node.path("disk_size_mb").asInt(),
                timeout == null ? null : Duration.ofSeconds(timeout),
                onTimeout == null ? OnTimeout.DESTROY : OnTimeout.valueOf(onTimeout.toUpperCase(Locale.ROOT)),
                strings(node.get("env_keys")), stringMap(node.get("metadata")), instant(node, "created_at"),
                instant(node, "expires_at"));
    }

    static Template template(JsonNode node) {
        return new Template(text(node, "id"), text(node, "name"), text(node, "type"),
                node.path("platform").asBoolean(), node.path("vcpus").asInt(), node.path("memory_mb").asInt(),
                integer(node, "disk_size_mb"), longValue(node, "size_bytes"), instant(node, "created_at"));
    }

    static FileEntry file(JsonNode node) {
        return new FileEntry(text(node, "name"), text(node, "path"),
                FileEntry.Type.valueOf(node.path("type").asString("other").toUpperCase(Locale.ROOT)),
                node.path("size").asLong(), text(node, "mode"), text(node, "owner"), text(node, "group"),
                instant(node, "modified_at"), text(node, "symlink_target"));
    }

    static ProcessInfo process(JsonNode node) {
        return new ProcessInfo(node.path("pid").asInt(), text(node, "tag"), text(node, "cmd"),
                strings(node.get("args")), text(node, "cwd"));
    }

    static ApiKey apiKey(JsonNode node) {
        JsonNode creator = node.get("created_by");
        return new ApiKey(text(node, "id"), text(node, "name"), text(node, "prefix"),
                creator == null || creator.isNull() ? null : text(creator, "email"), instant(node, "created_at"),
                instant(node, "last_used_at"));
    }

    static Double doubleValue(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asDouble();
    }

    static Instant epochSeconds(JsonNode node, String field) {
        Long seconds = longValue(node, field);
        return seconds == null ? null : Instant.ofEpochSecond(seconds);
    }

    /** Wrenn's {@code network} object; a null {@code allowInternetAccess} is left out (the server's default). */
    static ObjectNode network(NetworkPolicy policy) {
        ObjectNode node = object();
        if (policy.allowInternetAccess() != null) {
            node.put("allow_internet_access", policy.allowInternetAccess());
        }
        policy.allowOut().forEach(node.putArray("allow_out")::add);
        policy.denyOut().forEach(node.putArray("deny_out")::add);
        node.put("allow_public_traffic", policy.allowPublicTraffic());
        if (policy.maskRequestHost() != null) {
            node.put("mask_request_host", policy.maskRequestHost());
        }
        return node;
    }

    static NetworkState networkState(JsonNode node) {
        JsonNode internet = node.get("allow_internet_access");
        NetworkPolicy policy = new NetworkPolicy(internet == null || internet.isNull() ? null : internet.asBoolean(),
                strings(node.get("allow_out")), strings(node.get("deny_out")),
                node.path("allow_public_traffic").asBoolean(true), text(node, "mask_request_host"));
        return new NetworkState(policy, node.path("denied_connections").asLong());
    }

    static SandboxMetrics sandboxMetrics(JsonNode node) {
        List<SandboxMetrics.Point> points = new ArrayList<>();
        node.path("points").forEach(p -> points.add(new SandboxMetrics.Point(epochSeconds(p, "timestamp"),
                doubleValue(p, "cpu_pct"), doubleValue(p, "cpu_pct_max"), longValue(p, "mem_used_bytes"),
                longValue(p, "mem_used_max_bytes"), longValue(p, "mem_total_bytes"), longValue(p, "disk_used_bytes"),
                longValue(p, "disk_total_bytes"), longValue(p, "net_rx_bytes"), longValue(p, "net_tx_bytes"))));
        return new SandboxMetrics(text(node, "sandbox_id"), epochSeconds(node, "start"), epochSeconds(node, "end"),
                Duration.ofSeconds(node.path("step_seconds").asLong()), points);
    }

    static UsageStats usageStats(JsonNode node) {
        List<UsageStats.Point> points = new ArrayList<>();
        node.path("points").forEach(p -> points.add(new UsageStats.Point(epochSeconds(p, "timestamp"),
                p.path("running").isNull() || p.path("running").isMissingNode() ? null : usage(p))));
        return new UsageStats(text(node, "range"), epochSeconds(node, "start"), epochSeconds(node, "end"),
                Duration.ofSeconds(node.path("step_seconds").asLong()), usage(node.path("current")),
                usage(node.path("peaks")), points);
    }

    private static UsageStats.Usage usage(JsonNode node) {
        return new UsageStats.Usage(node.path("running").asLong(), node.path("paused").asLong(),
                node.path("vcpus_reserved").asLong(), node.path("memory_mb_reserved").asLong(),
                node.path("vcpus_used").asDouble(), node.path("memory_used_bytes").asLong());
    }

    static io.wrenn.sdk.SandboxEvent sandboxEvent(JsonNode node) {
        return new io.wrenn.sdk.SandboxEvent(instant(node, "at"), text(node, "source"), text(node, "event"),
                text(node, "detail"), text(node, "outcome"), integer(node, "status"), text(node, "actor"));
    }
}
