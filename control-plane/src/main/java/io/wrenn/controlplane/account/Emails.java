package io.wrenn.controlplane.account;

import io.wrenn.controlplane.http.ApiException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Email addresses as Wrenn keys accounts by them: trimmed, lower-cased, ASCII only. Non-ASCII
 * is refused rather than normalised because look-alike letters (a Cyrillic 'а' for a Latin
 * 'a') would otherwise make a second account that reads like the first; international domains
 * are written in their ASCII (punycode) form.
 */
public final class Emails {

    public static final int MAX_LENGTH = 254;
    private static final Pattern FORM = Pattern.compile(
            "[a-z0-9_%+-]+(\\.[a-z0-9_%+-]+)*@[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private Emails() {
    }

    /** The normalised address, or 400 naming {@code field}. */
    public static String require(String field, String value) {
        String email = value.strip();
        if (email.length() > MAX_LENGTH) {
            throw ApiException.invalid("'" + field + "' is too long");
        }
        if (!email.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.invalid("'" + field + "' must be plain ASCII (write international domains in punycode)");
        }
        email = email.toLowerCase(Locale.ROOT);
        int at = email.indexOf('@');
        if (!FORM.matcher(email).matches() || at > 64) {
            throw ApiException.invalid("'" + field + "' is not an email address");
        }
        return email;
    }
}
