package io.wrenn.envd.files;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A streaming reader of a {@code multipart/form-data} body: parts come one at a time and each
 * part's content is an {@link InputStream} read straight from the request through a fixed buffer,
 * so a part is never held in memory whatever its size.
 */
final class MultipartStream {
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Longest boundary taken (RFC 2046 allows 70): a longer one is the caller's 400. */
    static final int MAX_BOUNDARY = 200;

    private final InputStream in;
    private final byte[] delimiter; // CRLF "--" boundary
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean finished;
    private PartStream current;

    /** One part: its headers (names lower-cased) and its content. */
    record Part(Map<String, String> headers, InputStream content) {
        Optional<String> name() {
            return dispositionParameter("name");
        }

        Optional<String> filename() {
            return dispositionParameter("filename");
        }

        private Optional<String> dispositionParameter(String parameter) {
            String disposition = headers.get("content-disposition");
            return disposition == null ? Optional.empty() : Optional.ofNullable(HeaderParameters.parse(disposition).get(parameter));
        }
    }

    MultipartStream(InputStream in, String boundary) {
        if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
            throw new IllegalArgumentException("invalid multipart boundary");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The body opens with "--boundary" without a CRLF before it; supplying one lets the first
        // boundary match the same delimiter as all the others.
        buf[0] = '\r';
        buf[1] = '\n';
        limit = 2;
    }

    /** The next part, or null after the closing boundary. The previous part's unread content is skipped. */
    Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current == null) {
            current = new PartStream(); // the preamble, which is skipped like unread content
        }
        current.skipRest();
        current = null;
        fill(2);
        if (limit - pos >= 2 && buf[pos] == '-' && buf[pos + 1] == '-') {
            finished = true;
            return null;
        }
        readLine(); // the rest of the boundary line (optional whitespace)
        var headers = new LinkedHashMap<String, String>();
        int headerBytes = 0;
        while (true) {
            String line = readLine();
            if (line.isEmpty()) {
                break;
            }
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new IOException("multipart headers too large");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        current = new PartStream();
        return new Part(headers, current);
    }

    /** Makes at least {@code need} bytes available from {@code pos}, unless the input ends first. */
    private void fill(int need) throws IOException {
        if (limit - pos >= need) {
            return;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        while (limit < need && !eof) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        }
    }

    private String readLine() throws IOException {
        int searched = 0;
        while (true) {
            for (int i = pos + searched; i + 1 < limit; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                    String line = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
                    pos = i + 2;
                    return line;
                }
            }
            searched = Math.max(0, limit - pos - 1);
            if (limit - pos >= MAX_HEADER_BYTES) {
                throw new IOException("multipart header line too long");
            }
            if (eof) {
                throw new EOFException("multipart body ended inside headers");
            }
            fill(limit - pos + 1);
        }
    }

    /**
     * Looks for the next delimiter from {@code pos}. A delimiter counts only when "--" or a line
     * end follows it (RFC 2046); a possible delimiter running past the buffered data is reported
     * as {@code -(index) - 2} so the caller holds the bytes back until more arrive.
     *
     * @return the index of a delimiter, {@code -1} for none, or {@code -(index) - 2} for "maybe at index"
     */
    private int scan() {
        outer:
        for (int i = pos; i < limit; i++) {
            int avail = limit - i;
            int compare = Math.min(avail, delimiter.length);
            for (int j = 0; j < compare; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            if (avail < delimiter.length + 2) {
                if (eof && avail >= delimiter.length) {
                    return i; // the body ends right after a delimiter; accept it
                }
                return -i - 2;
            }
            byte a = buf[i + delimiter.length];
            byte b = buf[i + delimiter.length + 1];
            if ((a == '-' && b == '-') || (a == '\r' && b == '\n') || a == ' ' || a == '\t') {
                return i;
            }
        }
        return -1;
    }

    /** A part's content: everything up to the next delimiter. */
    private final class PartStream extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            fill(delimiter.length + 2);
            int found = scan();
            if (found == pos) {
                pos += delimiter.length;
                done = true;
                return -1;
            }
            int available;
            if (found >= 0) {
                available = found - pos;
            } else if (found < -1) {
                available = (-found - 2) - pos;
                if (available == 0) {
                    throw new EOFException("multipart body ended without a closing boundary");
                }
            } else {
                available = limit - pos;
                if (available == 0) {
                    throw new EOFException("multipart body ended without a closing boundary");
                }
            }
            int n = Math.min(len, available);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        void skipRest() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // discard
            }
        }
    }
}
