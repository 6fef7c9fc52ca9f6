package io.wrenn.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * What an attacker or a broken client sends where a parser expects text: any code unit (control
 * characters, NUL, lone surrogates), path tricks, numbers out of range and very long lines, mixed
 * so that every property sees some of each.
 */
public final class HostileText {

    /** Pieces that have broken parsers before: traversal, encodings of it, separators, escapes. */
    private static final String[] TRICKS = {"..", "/", "\\", ".", "%2e%2e", "%2F", "%00", "\0", "\r\n", "\n", "\t", " ",
            "~", "*", "?", "#", "&", "=", ";", ":", ",", "-", "--", "\"", "'", "$", "${", "}", "`", "{", "[", "\u202e",
            "\ud800", "\udc00", "\uffff", "é", "∕", "．．", "9223372036854775808", "-1", "0", "1e309", "NaN"};

    private HostileText() {
    }

    /** Any of the kinds below. */
    public static Gen<String> any() {
        return Gen.oneOf(Gen.anyChars(64), tricks(), Gen.ascii(64), overlong(),
                Gen.bytes(512).map(bytes -> new String(bytes, StandardCharsets.UTF_8)));
    }

    /** Strings glued together from the tricks above and a few letters. */
    public static Gen<String> tricks() {
        return Gen.oneOf(Gen.of(TRICKS), Gen.alpha(4)).list(12).map(pieces -> String.join("", pieces));
    }

    /** Lines far longer than any field allows (thousands of characters). */
    public static Gen<String> overlong() {
        return Gen.combine(Gen.of("a", "/", "..", "\\", "0", "é", "[", "{\"a\":"), Gen.ints(5_000, 20_000), String::repeat);
    }
}
