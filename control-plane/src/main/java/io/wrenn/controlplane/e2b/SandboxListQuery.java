package io.wrenn.controlplane.e2b;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.sandbox.Sandbox;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * E2B's sandbox list query: {@code state} (comma-separated), {@code metadata} (a URL-encoded
 * query string of key=value pairs, each part URL-encoded once more by the SDKs: all must match),
 * {@code limit} and {@code nextToken}. Pages run newest first; the token is opaque to clients
 * and names the last sandbox of the previous page (its start time and id), so a page never
 * repeats or skips a sandbox that was listed when the first page was read.
 */
record SandboxListQuery(Set<String> states, Map<String, String> metadata, int limit, Cursor after) {

    private static final Set<String> KNOWN_STATES = Set.of("running", "paused");
    private static final int MAX_LIMIT = 100;
    private static final Comparator<Sandbox> NEWEST_FIRST = Comparator.comparing(Sandbox::createdAt).reversed()
            .thenComparing(Sandbox::id);

    record Page(List<Sandbox> items, String nextToken) {
    }

    private record Cursor(long createdAtMicros, UUID id) {
        /** Whether {@code s} comes after this position in {@link #NEWEST_FIRST} order. */
        boolean isBefore(Sandbox s) {
            long at = micros(s.createdAt());
            return at < createdAtMicros || (at == createdAtMicros && s.id().compareTo(id) > 0);
        }
    }

    static SandboxListQuery parse(String state, String metadata, String limit, String nextToken) {
        Set<String> states = new java.util.HashSet<>();
        if (state != null && !state.isBlank()) {
            for (String s : state.split(",")) {
                if (!KNOWN_STATES.contains(s.strip())) {
                    throw ApiException.invalid("'state' must be a comma-separated list of running, paused");
                }
                states.add(s.strip());
            }
        }
        return new SandboxListQuery(states.isEmpty() ? KNOWN_STATES : Set.copyOf(states), metadata(metadata),
                limit(limit), cursor(nextToken));
    }

    Page page(List<Sandbox> sandboxes) {
        List<Sandbox> matching = new ArrayList<>();
        for (Sandbox s : sandboxes) {
            if (states.contains(E2bViews.state(s.status())) && s.metadata().entrySet().containsAll(metadata.entrySet())
                    && (after == null || after.isBefore(s))) {
                matching.add(s);
            }
        }
        matching.sort(NEWEST_FIRST);
        if (matching.size() <= limit) {
            return new Page(matching, null);
        }
        List<Sandbox> items = List.copyOf(matching.subList(0, limit));
        Sandbox last = items.getLast();
        String token = micros(last.createdAt()) + ":" + last.id();
        return new Page(items, Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static long micros(java.time.Instant t) {
        return java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, t);
    }

    private static Map<String, String> metadata(String query) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return pairs;
        }
        try {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw ApiException.invalid("'metadata' must be key=value pairs joined by &");
                }
                pairs.put(twiceDecoded(pair.substring(0, eq)), twiceDecoded(pair.substring(eq + 1)));
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("'metadata' is not validly URL-encoded");
        }
        if (pairs.size() > 64) {
            throw ApiException.invalid("'metadata' has more than 64 pairs");
        }
        return pairs;
    }

    /** The query string's own encoding, then the SDK's per-part encoding. */
    private static String twiceDecoded(String s) {
        return URLDecoder.decode(URLDecoder.decode(s, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return MAX_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("'limit' must be an integer from 1 to " + MAX_LIMIT);
    }

    private static Cursor cursor(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return new Cursor(Long.parseLong(decoded.substring(0, colon)), UUID.fromString(decoded.substring(colon + 1)));
        } catch (RuntimeException e) {
            throw ApiException.invalid("'nextToken' is not a token this server gave");
        }
    }
}
