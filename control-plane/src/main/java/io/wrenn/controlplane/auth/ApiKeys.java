package io.wrenn.controlplane.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The form of API keys: {@code e2b_} followed by 48 lowercase hex digits (192 random bits), the
 * form the E2B SDKs check on the client before any request, so a Wrenn key works with them as
 * is. Keys issued before were {@code wrn_} + 48 hex; they keep working, and the same secret
 * under the {@code e2b_} prefix names the same key (see {@link #legacyForm}). Only a SHA-256 of
 * the key is stored: a key has enough entropy that a fast hash is safe, and it makes lookup one
 * indexed query.
 */
public final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "e2b_";
    private static final String LEGACY_PREFIX = "wrn_";
    /** Shown in listings so people can tell their keys apart. */
    private static final int DISPLAY_PREFIX_LENGTH = 12;

    private ApiKeys() {
    }

    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return PREFIX + HexFormat.of().formatHex(bytes);
    }

    /**
     * The {@code wrn_} key that {@code key} spells with the SDKs' prefix, if it does: an older key
     * is usable with the E2B SDKs by writing {@code e2b_} in place of {@code wrn_}.
     */
    public static java.util.Optional<String> legacyForm(String key) {
        return key.startsWith(PREFIX) ? java.util.Optional.of(LEGACY_PREFIX + key.substring(PREFIX.length()))
                : java.util.Optional.empty();
    }

    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(DISPLAY_PREFIX_LENGTH, key.length()));
    }
}
