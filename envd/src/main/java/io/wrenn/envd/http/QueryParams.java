package io.wrenn.envd.http;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The decoded query parameters of a request (the first value of each name). */
public record QueryParams(Map<String, String> values) {

    public static QueryParams of(URI uri) {
        var values = new LinkedHashMap<String, String>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq >= 0 ? pair.substring(0, eq) : pair);
                String value = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
                values.putIfAbsent(name, value);
            }
        }
        return new QueryParams(values);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).filter(s -> !s.isEmpty());
    }
}
