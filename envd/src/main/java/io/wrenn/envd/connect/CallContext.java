package io.wrenn.envd.connect;

import com.sun.net.httpserver.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** What an RPC may know about its request besides the message: the headers. */
public record CallContext(Headers headers) {

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.getFirst(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    /**
     * The user named by {@code Authorization: Basic base64(user:)}, which is how the E2B SDKs
     * choose the user an RPC acts as (the password part is empty and ignored).
     */
    public Optional<String> basicAuthUser() {
        return header("Authorization")
                .filter(v -> v.regionMatches(true, 0, "Basic ", 0, 6))
                .map(v -> {
                    try {
                        String decoded = new String(Base64.getDecoder().decode(v.substring(6).trim()), StandardCharsets.UTF_8);
                        int colon = decoded.indexOf(':');
                        return colon >= 0 ? decoded.substring(0, colon) : decoded;
                    } catch (IllegalArgumentException e) {
                        throw new ConnectException(Code.UNAUTHENTICATED, "malformed Authorization header");
                    }
                })
                .filter(s -> !s.isEmpty());
    }

    /** {@code Connect-Timeout-Ms}, when the client set one. */
    public Optional<Long> timeoutMillis() {
        return header("Connect-Timeout-Ms").map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw ConnectException.invalidArgument("invalid Connect-Timeout-Ms header");
            }
        }).filter(ms -> ms > 0);
    }

    /**
     * How often an idle stream should send a keepalive: the client's {@code Keepalive-Ping-Interval}
     * (seconds, kept within 1 s..5 min) or {@code defaultMillis}.
     */
    public long keepaliveMillis(long defaultMillis) {
        return header("Keepalive-Ping-Interval").map(v -> {
            try {
                return Math.clamp(Long.parseLong(v) * 1000, 1000L, 300_000L);
            } catch (NumberFormatException e) {
                return defaultMillis;
            }
        }).orElse(defaultMillis);
    }
}
