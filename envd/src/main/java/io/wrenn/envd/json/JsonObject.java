package io.wrenn.envd.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of a parsed JSON object following the proto3 JSON mapping: a field may be named in
 * lowerCamelCase or in its original snake_case, 64-bit integers may come as strings, enums as
 * their name or number, and bytes as standard or URL-safe base64 with or without padding.
 * Absent fields and JSON {@code null} both read as "not set".
 */
public record JsonObject(Map<String, Object> asMap) {

    public static JsonObject empty() {
        return new JsonObject(new LinkedHashMap<>());
    }

    private Object raw(String camelName) {
        Object value = asMap.get(camelName);
        if (value == null) {
            value = asMap.get(snake(camelName));
        }
        return value;
    }

    private static String snake(String camel) {
        var out = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    public boolean has(String name) {
        return raw(name) != null;
    }

    public Optional<String> string(String name) {
        Object value = raw(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        throw new JsonException("field '" + name + "' must be a string");
    }

    public String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    public Optional<Long> integer(String name) {
        Object value = raw(name);
        return switch (value) {
            case null -> Optional.empty();
            case Long l -> Optional.of(l);
            case BigDecimal d -> {
                try {
                    yield Optional.of(d.longValueExact());
                } catch (ArithmeticException e) {
                    throw new JsonException("field '" + name + "' must be an integer");
                }
            }
            case String s -> {
                try {
                    yield Optional.of(new BigDecimal(s.trim()).longValueExact());
                } catch (NumberFormatException | ArithmeticException e) {
                    throw new JsonException("field '" + name + "' must be an integer");
                }
            }
            default -> throw new JsonException("field '" + name + "' must be an integer");
        };
    }

    public Optional<Boolean> bool(String name) {
        Object value = raw(name);
        return switch (value) {
            case null -> Optional.empty();
            case Boolean b -> Optional.of(b);
            default -> throw new JsonException("field '" + name + "' must be a boolean");
        };
    }

    public Optional<JsonObject> object(String name) {
        Object value = raw(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            var object = (Map<String, Object>) map;
            return Optional.of(new JsonObject(object));
        }
        throw new JsonException("field '" + name + "' must be an object");
    }

    public List<String> stringList(String name) {
        Object value = raw(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new JsonException("field '" + name + "' must be an array");
        }
        var out = new ArrayList<String>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new JsonException("field '" + name + "' must hold strings");
            }
            out.add(s);
        }
        return out;
    }

    /** A {@code map<string, string>} field. */
    public Map<String, String> stringMap(String name) {
        var object = object(name);
        if (object.isEmpty()) {
            return Map.of();
        }
        var out = new LinkedHashMap<String, String>();
        for (var entry : object.get().asMap().entrySet()) {
            if (!(entry.getValue() instanceof String s)) {
                throw new JsonException("field '" + name + "' must map strings to strings");
            }
            out.put(entry.getKey(), s);
        }
        return out;
    }

    public Optional<byte[]> bytes(String name) {
        return string(name).map(s -> decodeBase64(name, s));
    }

    private static byte[] decodeBase64(String name, String s) {
        // The JDK decoder accepts missing padding; URL-safe input is mapped to the standard alphabet.
        try {
            return Base64.getDecoder().decode(s.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new JsonException("field '" + name + "' must be base64");
        }
    }

    /**
     * An enum field given by name (e.g. {@code "SIGNAL_SIGKILL"}) or by number; returns the number
     * looked up in {@code names} (name → number).
     */
    public Optional<Integer> enumNumber(String name, Map<String, Integer> names) {
        Object value = raw(name);
        return switch (value) {
            case null -> Optional.empty();
            case Long l -> Optional.of(l.intValue());
            case String s -> {
                Integer number = names.get(s);
                if (number == null) {
                    throw new JsonException("field '" + name + "' has unknown value '" + s + "'");
                }
                yield Optional.of(number);
            }
            default -> throw new JsonException("field '" + name + "' must be an enum name or number");
        };
    }
}
