package io.wrenn.sdk.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/** Reads every page of a list the API pages by {@code limit} and {@code cursor}, following {@code next_cursor}. */
final class Pages {

    private static final int PAGE_SIZE = 1000;

    private Pages() {
    }

    static void each(Transport transport, String path, String field, Consumer<JsonNode> row) {
        String cursor = null;
        do {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("limit", PAGE_SIZE);
            query.put("cursor", cursor);
            JsonNode page = transport.get(Transport.path(path, query));
            page.path(field).forEach(row);
            cursor = Json.text(page, "next_cursor");
        } while (cursor != null);
    }
}
