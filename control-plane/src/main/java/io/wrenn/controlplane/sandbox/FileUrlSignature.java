package io.wrenn.controlplane.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * The signature of a signed {@code /files} URL as the guest agent checks it (E2B's envd format):
 * {@code "v1_" + base64(sha256("path:operation:username:token[:expiration]"))} without padding.
 * The control plane computes it to find which sandbox's token made a URL, without carrying the
 * guest agent's code; {@code TrafficErrorsTest} signs with the guest agent's own function, so the
 * two cannot drift apart unnoticed.
 */
final class FileUrlSignature {
    private FileUrlSignature() {
    }

    static String of(String path, String operation, String username, String token, Optional<String> expiration) {
        String text = path + ":" + operation + ":" + username + ":" + token + expiration.map(e -> ":" + e).orElse("");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "v1_" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
