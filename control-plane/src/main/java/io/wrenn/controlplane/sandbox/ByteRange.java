package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.ApiException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One HTTP byte range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}) resolved against a file's size. */
record ByteRange(long first, long last) {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    long length() {
        return last - first + 1;
    }

    /**
     * The range, empty when it is syntactically fine but outside the file (416);
     * malformed or multiple ranges are a 400.
     */
    static Optional<ByteRange> parse(String header, long size) {
        Matcher m = SINGLE.matcher(header.strip());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw ApiException.invalid("'Range' must be one range: bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX");
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    return Optional.empty();
                }
                return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (first >= size || (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first)) {
                return Optional.empty();
            }
            return Optional.of(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            throw ApiException.invalid("'Range' numbers are too large");
        }
    }
}
