package io.wrenn.controlplane.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small GitHub-style OAuth 2 provider on loopback: authorization codes bound to a PKCE S256
 * challenge and a redirect URI, a token endpoint that checks the client secret and the
 * verifier, and user and email endpoints. {@link #approveAs} picks who "logs in" next.
 */
public final class FakeOAuthProvider implements AutoCloseable {

    public static final String CLIENT_ID = "wrenn-test-client";
    public static final String CLIENT_SECRET = "wrenn-test-secret";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Someone with an account at the provider. */
    public record Account(long id, String login, String name, List<Map<String, Object>> emails) {
        public static Account verified(String login, String email) {
            return new Account(Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L), login, login,
                    List.of(Map.of("email", email, "primary", true, "verified", true)));
        }
    }

    private record Grant(Account account, String challenge, String redirectUri) {
    }

    private final HttpServer server;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Account> tokens = new ConcurrentHashMap<>();
    private volatile Account next;
    /** Token exchanges whose PKCE verifier matched the challenge. */
    public final AtomicInteger verifiedExchanges = new AtomicInteger();

    public FakeOAuthProvider() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.createContext("/user/emails", ex -> profile(ex, true));
        server.createContext("/user", ex -> profile(ex, false));
        server.start();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public void approveAs(Account account) {
        this.next = account;
    }

    private void authorize(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (!CLIENT_ID.equals(q.get("client_id")) || !"S256".equals(q.get("code_challenge_method"))
                || q.get("code_challenge") == null || q.get("state") == null || !"code".equals(q.get("response_type"))) {
            send(ex, 400, Map.of("error", "invalid_request"));
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Grant(next, q.get("code_challenge"), q.get("redirect_uri")));
        ex.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state="
                + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Grant grant = codes.remove(form.getOrDefault("code", ""));
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            send(ex, 401, Map.of("error", "invalid_client"));
            return;
        }
        // GitHub answers 200 with an error field for a bad code or verifier.
        if (grant == null || !grant.redirectUri().equals(form.get("redirect_uri"))
                || !grant.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
            send(ex, 200, Map.of("error", "bad_verification_code"));
            return;
        }
        verifiedExchanges.incrementAndGet();
        String token = "gho_" + UUID.randomUUID();
        tokens.put(token, grant.account());
        send(ex, 200, Map.of("access_token", token, "token_type", "bearer", "scope", "read:user,user:email"));
    }

    private void profile(HttpExchange ex, boolean emails) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Account account = auth == null ? null : tokens.get(auth.replaceFirst("^Bearer ", ""));
        if (account == null) {
            send(ex, 401, Map.of("message", "Bad credentials"));
            return;
        }
        if (emails) {
            send(ex, 200, account.emails());
        } else {
            Map<String, Object> user = new HashMap<>();
            user.put("id", account.id());
            user.put("login", account.login());
            user.put("name", account.name());
            send(ex, 200, user);
        }
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
