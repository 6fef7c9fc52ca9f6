package io.wrenn.controlplane.e2b;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.sandbox.SandboxStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * E2B's sandbox list query: {@code state} (comma-separated), {@code metadata} (a URL-encoded
 * query string of key=value pairs, each part URL-encoded once more by the SDKs: all must match),
 * {@code limit} and {@code nextToken}, E2B's names for the shared {@link Paging}. Pages run
 * newest first; the token is opaque to clients and names the last sandbox of the previous page
 * (its creation time and id), so a page never repeats or skips a sandbox that was listed when the
 * first page was read.
 */
record SandboxListQuery(Set<String> states, Map<String, String> metadata, Paging.PageRequest request) {

    private static final Set<String> KNOWN_STATES = Set.of("running", "paused");
    /** E2B's wire names for the shared paging; the default is E2B's largest page. */
    private static final Paging PAGING = Paging.of("e2b", 2, 100, 100).named("limit", "nextToken");
    /** The order of the API's own lists (SandboxStore.page): ids compare as PostgreSQL does, by their text. */
    private static final Comparator<Sandbox> NEWEST_FIRST = Comparator.comparing(Sandbox::createdAt)
            .thenComparing(s -> s.id().toString()).reversed();

    record Page(List<Sandbox> items, String nextToken) {
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
                PAGING.request(limit, nextToken));
    }

    /** Of {@code listed}, the statuses whose E2B state was asked for: the rows a store reads for this query. */
    Set<SandboxStatus> statuses(Set<SandboxStatus> listed) {
        Set<SandboxStatus> wanted = java.util.EnumSet.noneOf(SandboxStatus.class);
        listed.stream().filter(status -> states.contains(E2bViews.state(status))).forEach(wanted::add);
        return wanted;
    }

    /**
     * The page out of {@code sandboxes}: the team's rows, or a store's page read for this query
     * ({@link #statuses}, {@link #metadata}, {@link #request}); either way the filters and the
     * cursor are applied here too, so both give the same page.
     */
    Page page(List<Sandbox> sandboxes) {
        java.time.Instant afterAt = request.after() == null ? null : request.after().instant(0);
        String afterId = request.after() == null ? null : request.after().uuid(1).toString();
        List<Sandbox> matching = new ArrayList<>();
        for (Sandbox s : sandboxes) {
            if (states.contains(E2bViews.state(s.status())) && s.metadata().entrySet().containsAll(metadata.entrySet())
                    && (afterId == null || comesAfter(s, afterAt, afterId))) {
                matching.add(s);
            }
        }
        matching.sort(NEWEST_FIRST);
        Paging.Page<Sandbox> page = PAGING.page(request, matching, SandboxStore::pageKey);
        return new Page(page.items(), page.nextCursor());
    }

    /** Whether {@code s} follows the cursor's place in {@link #NEWEST_FIRST}. */
    private static boolean comesAfter(Sandbox s, java.time.Instant afterAt, String afterId) {
        int byTime = s.createdAt().compareTo(afterAt);
        return byTime < 0 || (byTime == 0 && s.id().toString().compareTo(afterId) < 0);
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
        // The filter becomes a jsonb value, which refuses NUL: no stored metadata holds one anyway.
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            if (pair.getKey().indexOf('\0') >= 0 || pair.getValue().indexOf('\0') >= 0) {
                throw ApiException.invalid("'metadata' contains a NUL character");
            }
        }
        return pairs;
    }

    /** The query string's own encoding, then the SDK's per-part encoding. */
    private static String twiceDecoded(String s) {
        return URLDecoder.decode(URLDecoder.decode(s, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
