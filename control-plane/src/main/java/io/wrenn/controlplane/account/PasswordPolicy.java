package io.wrenn.controlplane.account;

import io.wrenn.controlplane.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must be: 10 to 128 characters (at most 512 bytes of UTF-8, so hashing
 * cost is bounded), no control characters, at least 5 different characters, not a well-known
 * password and not built from the account's email or name.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 10;
    public static final int MAX_LENGTH = 128;
    public static final int MAX_BYTES = 512;
    private static final Set<String> COMMON = Set.of(
            "password", "password1", "password12", "password123", "password1234", "passw0rd123",
            "1234567890", "12345678910", "0123456789", "9876543210", "qwertyuiop", "qwerty1234", "qwerty12345",
            "1q2w3e4r5t", "1qaz2wsx3edc", "asdfghjkl1", "zxcvbnm123", "iloveyou12", "letmein123", "welcome123",
            "admin12345", "administrator", "changeme123", "abcdefghij", "abc1234567", "football12", "baseball12",
            "sunshine12", "princess12", "dragon1234", "monkey1234", "trustno1234", "wrenn12345", "wrennwrenn");

    private PasswordPolicy() {
    }

    /** 400 (naming {@code field}) unless {@code password} is acceptable for this account. */
    public static void check(String field, String password, String email, String name) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES
                || password.codePointCount(0, password.length()) > MAX_LENGTH) {
            throw ApiException.invalid("'" + field + "' must be at most " + MAX_LENGTH + " characters");
        }
        if (password.codePoints().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid("'" + field + "' must not contain control characters");
        }
        if (password.codePointCount(0, password.length()) < MIN_LENGTH) {
            throw ApiException.invalid("'" + field + "' must be at least " + MIN_LENGTH + " characters");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (password.codePoints().distinct().count() < 5 || COMMON.contains(lower)) {
            throw ApiException.invalid("'" + field + "' is too easy to guess");
        }
        String local = email.substring(0, email.indexOf('@'));
        if (lower.equals(email) || (local.length() >= 4 && lower.contains(local))
                || (name != null && lower.equals(name.toLowerCase(Locale.ROOT)))) {
            throw ApiException.invalid("'" + field + "' must not be made of your email or name");
        }
    }

    /** Checks only what keeps hashing safe (size, no NUL): for login, where the policy may have changed since. */
    public static void checkPresented(String field, String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES || password.indexOf('\0') >= 0) {
            throw ApiException.invalid("'" + field + "' is not a valid password");
        }
    }
}
