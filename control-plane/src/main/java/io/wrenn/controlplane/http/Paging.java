package io.wrenn.controlplane.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * How one list is paged: the one way every list of the API reads {@code limit} and a cursor and
 * writes the next cursor.
 *
 * <p>A cursor is the sort key of the last row of the previous page, tagged with the list's name
 * and base64url-encoded. Clients treat it as opaque; the tag makes one list refuse another's
 * cursor. Stores page by keyset ({@code WHERE (sort key) after (cursor) ORDER BY sort key LIMIT
 * n + 1}, never OFFSET) on a total order ending in the row's id, so rows added or removed between
 * pages never make a page repeat or skip a row that existed throughout. A forged cursor is at
 * worst a position in the caller's own list: stores still scope every query as before.
 *
 * @param tag         names the list inside its cursors (letters and digits, no colon)
 * @param keyParts    how many values the sort key has
 * @param limitName   the query parameter holding the page size
 * @param cursorName  the query parameter holding the cursor
 */
public record Paging(String tag, int keyParts, int defaultLimit, int maxLimit, String limitName, String cursorName) {

    public Paging {
        if (!tag.matches("[a-z0-9]+") || keyParts < 1 || defaultLimit < 1 || defaultLimit > maxLimit) {
            throw new IllegalArgumentException("bad paging for " + tag);
        }
    }

    /** A list read with the API's own parameter names, {@code limit} and {@code cursor}. */
    public static Paging of(String tag, int keyParts, int defaultLimit, int maxLimit) {
        return new Paging(tag, keyParts, defaultLimit, maxLimit, "limit", "cursor");
    }

    /** The same list read under other parameter names (a compatible API's wire names). */
    public Paging named(String limitName, String cursorName) {
        return new Paging(tag, keyParts, defaultLimit, maxLimit, limitName, cursorName);
    }

    /** Parses the two query values (null or empty means absent); 400 {@code invalid_request} when either is bad. */
    public PageRequest request(String limit, String cursor) {
        return new PageRequest(limit(limit), cursor == null || cursor.isEmpty() ? null : decode(cursor));
    }

    /**
     * The page out of {@code fetched}, rows read with {@link PageRequest#fetch()} (one more than
     * the limit, so a last page is known without another query); {@code key} gives a row's sort key.
     */
    public <T> Page<T> page(PageRequest request, List<T> fetched, Function<T, List<String>> key) {
        if (fetched.size() <= request.limit()) {
            return new Page<>(List.copyOf(fetched), null);
        }
        List<T> items = List.copyOf(fetched.subList(0, request.limit()));
        return new Page<>(items, encode(key.apply(items.getLast())));
    }

    /** The cursor naming {@code key} as the last row seen. */
    public String encode(List<String> key) {
        if (key.size() != keyParts) {
            throw new IllegalArgumentException("a " + tag + " cursor has " + keyParts + " parts");
        }
        String plain = tag + ":" + String.join(":", key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    private int limit(String value) {
        if (value == null || value.isEmpty()) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= maxLimit) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("'" + limitName + "' must be an integer between 1 and " + maxLimit);
    }

    private Cursor decode(String value) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
            // The last part may hold colons (a name); the ones before it never do.
            String[] parts = plain.split(":", keyParts + 1);
            // NUL is never in a cursor given out (PostgreSQL's text cannot hold it); a forged one
            // would reach the query and fail it (a 500).
            if (parts.length == keyParts + 1 && parts[0].equals(tag) && plain.indexOf('\0') < 0) {
                return new Cursor(List.of(parts).subList(1, parts.length), cursorName);
            }
        } catch (IllegalArgumentException e) {
            // not base64url: reported below
        }
        throw badCursor(cursorName);
    }

    static ApiException badCursor(String cursorName) {
        return ApiException.invalid("'" + cursorName + "' is not a cursor this API gave out");
    }

    /** Microseconds since the epoch: PostgreSQL's timestamp precision, so a row's time survives a cursor exactly. */
    public static String micros(Instant at) {
        return Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, at));
    }

    /** A validated page size and, after the first page, the cursor. */
    public record PageRequest(int limit, Cursor after) {

        /** How many rows a store reads: one more than the page, to tell whether another follows. */
        public int fetch() {
            return limit + 1;
        }
    }

    /** One page: its rows and the cursor of the next page, null on the last. */
    public record Page<T>(List<T> items, String nextCursor) {
    }

    /**
     * A decoded cursor's sort key. Reading a part as the wrong type (a forged cursor) is the same
     * 400 as an undecodable one.
     */
    public static final class Cursor {

        // Years 1 to 9999: well inside PostgreSQL's timestamptz range, so a forged time is a 400, not a 500.
        private static final long MIN_MICROS = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("0001-01-01T00:00:00Z"));
        private static final long MAX_MICROS = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"));

        private final List<String> parts;
        private final String cursorName;

        Cursor(List<String> parts, String cursorName) {
            this.parts = List.copyOf(parts);
            this.cursorName = cursorName;
        }

        public String text(int index) {
            return parts.get(index);
        }

        public long number(int index) {
            try {
                return Long.parseLong(parts.get(index));
            } catch (NumberFormatException e) {
                throw badCursor(cursorName);
            }
        }

        public UUID uuid(int index) {
            try {
                UUID id = UUID.fromString(parts.get(index));
                if (id.toString().equals(parts.get(index))) {
                    return id;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw badCursor(cursorName);
        }

        /** A time written by {@link Paging#micros}; one PostgreSQL could not hold is forged. */
        public Instant instant(int index) {
            long micros = number(index);
            if (micros < MIN_MICROS || micros > MAX_MICROS) {
                throw badCursor(cursorName);
            }
            return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
        }
    }
}
