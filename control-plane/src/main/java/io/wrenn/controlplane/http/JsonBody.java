package io.wrenn.controlplane.http;

import io.wrenn.api.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A request body read as a JSON object, with typed, validating accessors. Validation is done
 * by hand rather than by data binding so that every mistake (unknown field, wrong type, a
 * string where a number belongs) gets a precise 400 message, and nothing is coerced.
 */
public final class JsonBody {

    private final JsonNode root;

    private JsonBody(JsonNode root) {
        this.root = root;
    }

    /**
     * Parses {@code bytes} as one JSON object whose fields are all in {@code allowed}.
     * An empty body counts as {@code {}}, so requests whose fields are all optional may omit it.
     */
    public static JsonBody parse(byte[] bytes, Set<String> allowed) {
        if (bytes.length == 0) {
            return new JsonBody(Jsons.mapper().createObjectNode());
        }
        JsonNode root;
        try {
            root = Jsons.mapper().readTree(bytes);
        } catch (JacksonException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
        }
        for (String name : root.propertyNames()) {
            if (!allowed.contains(name)) {
                throw ApiException.invalid("unknown field '" + name + "'");
            }
        }
        return new JsonBody(root);
    }

    /** The raw value of field {@code name}, or null when absent or null: for shapes the typed accessors do not cover. */
    public JsonNode node(String name) {
        return field(name).orElse(null);
    }

    private Optional<JsonNode> field(String name) {
        JsonNode node = root.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** A nested object whose fields are all in {@code allowed}. */
    public JsonBody object(String name, Set<String> allowed) {
        JsonNode node = field(name).orElseThrow(() -> ApiException.invalid("'" + name + "' is required"));
        if (!node.isObject()) {
            throw ApiException.invalid("'" + name + "' must be an object");
        }
        for (String inner : node.propertyNames()) {
            if (!allowed.contains(inner)) {
                throw ApiException.invalid("unknown field '" + name + "." + inner + "'");
            }
        }
        return new JsonBody(node);
    }

    /** Whether the field is present with a value other than null. */
    public boolean has(String name) {
        return field(name).isPresent();
    }

    public Optional<String> string(String name) {
        return field(name).map(node -> {
            if (!node.isString()) {
                throw ApiException.invalid("'" + name + "' must be a string");
            }
            return node.stringValue();
        });
    }

    public Optional<Boolean> bool(String name) {
        return field(name).map(node -> {
            if (!node.isBoolean()) {
                throw ApiException.invalid("'" + name + "' must be true or false");
            }
            return node.booleanValue();
        });
    }

    public String requiredString(String name) {
        return string(name).orElseThrow(() -> ApiException.invalid("'" + name + "' is required"));
    }

    /** A boolean field; absent or null gives {@code fallback}. */
    public boolean bool(String name, boolean fallback) {
        return field(name).map(node -> {
            if (!node.isBoolean()) {
                throw ApiException.invalid("'" + name + "' must be true or false");
            }
            return node.booleanValue();
        }).orElse(fallback);
    }

    /** An integer field within [min, max]; absent or null gives empty. */
    public OptionalInt integer(String name, int min, int max) {
        Optional<JsonNode> node = field(name);
        if (node.isEmpty()) {
            return OptionalInt.empty();
        }
        JsonNode value = node.get();
        if (!value.isIntegralNumber()) {
            throw ApiException.invalid("'" + name + "' must be an integer");
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw ApiException.invalid("'" + name + "' must be between " + min + " and " + max);
        }
        return OptionalInt.of(value.intValue());
    }

    public List<String> stringList(String name) {
        Optional<JsonNode> node = field(name);
        if (node.isEmpty()) {
            return List.of();
        }
        if (!node.get().isArray()) {
            throw ApiException.invalid("'" + name + "' must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node.get()) {
            if (!element.isString()) {
                throw ApiException.invalid("'" + name + "' must be an array of strings");
            }
            values.add(element.stringValue());
        }
        return values;
    }

    /** An object whose values are all strings, in the order given. */
    public Map<String, String> stringMap(String name) {
        Optional<JsonNode> node = field(name);
        if (node.isEmpty()) {
            return Map.of();
        }
        if (!node.get().isObject()) {
            throw ApiException.invalid("'" + name + "' must be an object of strings");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.get().properties()) {
            if (!entry.getValue().isString()) {
                throw ApiException.invalid("'" + name + "." + entry.getKey() + "' must be a string");
            }
            values.put(entry.getKey(), entry.getValue().stringValue());
        }
        return values;
    }
}
