package io.wrenn.envd.files;

import java.util.Optional;

/** A single satisfiable byte range of a file of known size, from an HTTP {@code Range} header. */
record ByteRange(long first, long last) {

    long length() {
        return last - first + 1;
    }

    /** What a Range header asks for. */
    sealed interface Request {
        record Whole() implements Request {
        }

        record Partial(ByteRange range) implements Request {
        }

        record Unsatisfiable() implements Request {
        }
    }

    /**
     * Interprets {@code Range} for a file of {@code size} bytes. Only one range is served; a header
     * with several ranges, another unit or bad syntax is ignored and the whole file is sent, as
     * RFC 9110 allows.
     */
    static Request parse(Optional<String> header, long size) {
        if (header.isEmpty()) {
            return new Request.Whole();
        }
        String value = header.get().trim();
        if (!value.startsWith("bytes=") || value.contains(",")) {
            return new Request.Whole();
        }
        String spec = value.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Request.Whole();
        }
        try {
            String from = spec.substring(0, dash).trim();
            String to = spec.substring(dash + 1).trim();
            if (from.isEmpty()) {
                if (to.isEmpty()) {
                    return new Request.Whole();
                }
                long suffix = Long.parseLong(to);
                if (suffix <= 0 || size == 0) {
                    return new Request.Unsatisfiable();
                }
                return new Request.Partial(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? size - 1 : Math.min(Long.parseLong(to), size - 1);
            if (first >= size) {
                return new Request.Unsatisfiable();
            }
            if (last < first) {
                return new Request.Whole();
            }
            return new Request.Partial(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            return new Request.Whole();
        }
    }
}
