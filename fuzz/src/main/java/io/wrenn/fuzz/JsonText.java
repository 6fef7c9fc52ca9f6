package io.wrenn.fuzz;

import java.util.List;

/**
 * Request bodies as JSON text: objects whose fields are mostly the ones a route knows (so that
 * validation gets past the field check and into the values), holding values of every JSON type,
 * hostile strings and huge numbers; and, less often, text that is not one JSON object at all.
 */
public final class JsonText {

    private JsonText() {
    }

    /** A JSON object text with fields drawn mostly from {@code known}, or (rarely) broken JSON. */
    public static Gen<String> body(List<String> known) {
        return Gen.weighted(8, object(known, 3), 1, notJson());
    }

    /** A JSON object with up to six fields, names mostly from {@code known}. */
    public static Gen<String> object(List<String> known, int depth) {
        Gen<String> name = known.isEmpty() ? HostileText.any() : Gen.weighted(9, Gen.of(known), 1, HostileText.any());
        Gen<String> field = Gen.combine(name, value(depth), (n, v) -> quote(n) + ":" + v);
        return field.list(6).map(fields -> "{" + String.join(",", fields) + "}");
    }

    /** Any JSON value, nested at most {@code depth} deep. */
    public static Gen<String> value(int depth) {
        Gen<String> scalar = Gen.oneOf(
                Gen.of("null", "true", "false", "0", "-1", "1", "2", "512", "1024", "4096", "3600", "2147483648",
                        "-2147483649", "9223372036854775808", "1e309", "-0.0", "1.5", "1E2", "123456789012345678901234567890"),
                Gen.ints().map(String::valueOf),
                HostileText.any().map(JsonText::quote),
                Gen.of("base", "debian", "SIGTERM", "SIGKILL", "/tmp", "/tmp/x", "root", "destroy", "pause").map(JsonText::quote));
        if (depth <= 0) {
            return scalar;
        }
        Gen<String> array = random -> "[" + String.join(",", value(depth - 1).list(4).next(random)) + "]";
        Gen<String> object = random -> object(List.of("enabled", "a", "KEY", "allow_out", "deny_out"), depth - 1).next(random);
        return Gen.weighted(6, scalar, 1, array, 2, object);
    }

    /** Text that is not one JSON object: fragments, other types, deep nesting, raw bytes. */
    public static Gen<String> notJson() {
        return Gen.oneOf(
                HostileText.any(),
                Gen.of("", "{", "}", "[]", "null", "\"x\"", "1", "{\"a\"", "{\"a\":}", "{,}", "{\"a\":1,}", "\uFEFF{}",
                        "{\"a\":1}{\"b\":2}", "{\"a\":1} trailing", "{'a':1}", "{a:1}", "{\"a\":01}", "{\"a\":NaN}"),
                Gen.ints(100, 20_000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Gen.ints(100, 20_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                Gen.ints(1_000, 100_000).map(n -> "{\"a\":" + "9".repeat(n) + "}"));
    }

    /** {@code text} as a JSON string; every control character and surrogate escaped, so that lone surrogates reach the server. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
