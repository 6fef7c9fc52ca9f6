package io.wrenn.sdk.internal;

import io.wrenn.sdk.ApiKey;
import io.wrenn.sdk.BuildInfo;
import io.wrenn.sdk.BuildLogLine;
import io.wrenn.sdk.FileEntry;
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
}
