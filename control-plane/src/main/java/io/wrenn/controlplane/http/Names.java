package io.wrenn.controlplane.http;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * Names people give to things (their own name, teams, API keys). They are shown to other
 * people, so they are NFKC-normalised (full-width and other compatibility forms fold to their
 * plain letters) and limited to letters, marks, digits, spaces and a little punctuation:
 * no control or invisible formatting characters (bidi overrides, zero-width joiners) that could
 * make one name pass for another, and none of {@code ; " \ / < > `} that only serve injection.
 */
public final class Names {

    public static final int MAX_LENGTH = 64;
    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{M}\\p{N} ._'&()+,@#-]+");

    private Names() {
    }

    /** The normalised name, or 400 naming {@code field}. */
    public static String require(String field, String value) {
        String name = Normalizer.normalize(value, Normalizer.Form.NFKC).strip();
        if (name.isEmpty()) {
            throw ApiException.invalid("'" + field + "' must not be empty");
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            throw ApiException.invalid("'" + field + "' must be at most " + MAX_LENGTH + " characters");
        }
        if (!ALLOWED.matcher(name).matches() || name.contains("  ")) {
            throw ApiException.invalid("'" + field + "' may hold letters, digits, single spaces and . _ ' & ( ) + , @ # - only");
        }
        return name;
    }
}
