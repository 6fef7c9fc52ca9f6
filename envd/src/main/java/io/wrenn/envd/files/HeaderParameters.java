package io.wrenn.envd.files;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Parameters of a header such as {@code form-data; name="file"; filename="a.txt"} (names lower-cased, quotes removed). */
final class HeaderParameters {
    private HeaderParameters() {
    }

    static Map<String, String> parse(String header) {
        var params = new LinkedHashMap<String, String>();
        int i = header.indexOf(';');
        while (i >= 0 && i < header.length()) {
            i++;
            while (i < header.length() && header.charAt(i) == ' ') {
                i++;
            }
            int eq = header.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = header.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            int j = eq + 1;
            var value = new StringBuilder();
            if (j < header.length() && header.charAt(j) == '"') {
                j++;
                while (j < header.length() && header.charAt(j) != '"') {
                    char c = header.charAt(j);
                    if (c == '\\' && j + 1 < header.length()) {
                        j++;
                        c = header.charAt(j);
                    }
                    value.append(c);
                    j++;
                }
                j = header.indexOf(';', j);
            } else {
                int end = header.indexOf(';', j);
                value.append(header, j, end < 0 ? header.length() : end);
                j = end;
            }
            params.putIfAbsent(name, value.toString().trim());
            i = j;
        }
        return params;
    }
}
