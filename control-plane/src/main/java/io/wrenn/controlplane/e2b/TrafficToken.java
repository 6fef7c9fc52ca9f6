package io.wrenn.controlplane.e2b;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A sandbox's traffic access token (E2B's {@code trafficAccessToken}): what a request to one of its
 * ports must carry in {@code e2b-traffic-access-token} when the sandbox does not allow public
 * traffic. Derived from the envd access token by a one-way hash, so it needs no storage of its
 * own and gives nothing of envd's token away to whoever holds it.
 */
final class TrafficToken {

    static final String HEADER = "e2b-traffic-access-token";

    private TrafficToken() {
    }

    static String of(String envdAccessToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("wrenn-traffic\0" + envdAccessToken).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean matches(String envdAccessToken, String presented) {
        return envdAccessToken != null && presented != null && MessageDigest.isEqual(
                of(envdAccessToken).getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
