package io.wrenn.envd.files;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.http.QueryParams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Access to {@code /files} when an access token is set: the token in {@code X-Access-Token}, or a
 * URL signed with it (what the E2B SDKs hand to browsers): {@code signature} =
 * {@code "v1_" + base64(sha256("path:operation:username:token[:expiration]"))} without padding,
 * where operation is {@code read} or {@code write}, username is empty when not given, and
 * {@code signature_expiration} (Unix seconds), if present, must not have passed.
 */
public final class SignedUrls {
    private SignedUrls() {
    }

    static void authorize(Optional<String> token, Optional<String> headerToken, QueryParams params, String operation) {
        if (token.isEmpty()) {
            return;
        }
        if (headerToken.isPresent()) {
            if (!equal(token.get(), headerToken.get())) {
                throw new ConnectException(Code.UNAUTHENTICATED, "access token does not match");
            }
            return;
        }
        String signature = params.get("signature")
                .orElseThrow(() -> new ConnectException(Code.UNAUTHENTICATED, "missing access token or signature"));
        Optional<String> expiration = params.get("signature_expiration");
        String expected = sign(params.values().getOrDefault("path", ""), operation,
                params.values().getOrDefault("username", ""), token.get(), expiration);
        if (!equal(expected, signature)) {
            throw new ConnectException(Code.UNAUTHENTICATED, "invalid signature");
        }
        if (expiration.isPresent()) {
            long expires;
            try {
                expires = Long.parseLong(expiration.get());
            } catch (NumberFormatException e) {
                throw new ConnectException(Code.UNAUTHENTICATED, "invalid signature expiration");
            }
            if (expires < Instant.now().getEpochSecond()) {
                throw new ConnectException(Code.UNAUTHENTICATED, "signature expired");
            }
        }
    }

    /** The signature of a {@code /files} URL: also computed by the control plane to find the URL's sandbox. */
    public static String sign(String path, String operation, String username, String token, Optional<String> expiration) {
        String text = path + ":" + operation + ":" + username + ":" + token + expiration.map(e -> ":" + e).orElse("");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "v1_" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
