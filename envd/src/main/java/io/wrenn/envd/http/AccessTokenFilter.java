package io.wrenn.envd.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.wrenn.envd.init.SandboxDefaults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Once {@code /init} has set an access token, every request except {@code GET /health} must carry
 * it in {@code X-Access-Token}; the comparison takes the same time whatever the input.
 * {@code /files} checks for itself, because it also accepts signed URLs.
 */
public final class AccessTokenFilter extends Filter {
    private final SandboxDefaults defaults;

    public AccessTokenFilter(SandboxDefaults defaults) {
        this.defaults = defaults;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Optional<String> expected = defaults.accessToken();
        String path = exchange.getRequestURI().getPath();
        if (expected.isEmpty() || path.equals("/health") || path.equals("/files")
                || matches(expected.get(), exchange.getRequestHeaders().getFirst("X-Access-Token"))) {
            chain.doFilter(exchange);
            return;
        }
        try (exchange) {
            HttpResponses.error(exchange, 401, "missing or invalid access token");
        }
    }

    static boolean matches(String expected, String given) {
        if (given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String description() {
        return "X-Access-Token check";
    }
}
