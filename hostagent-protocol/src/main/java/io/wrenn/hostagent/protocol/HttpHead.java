package io.wrenn.hostagent.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The head of an HTTP/1.1 message (request or status line, then header lines), as the traffic
 * tunnel reads and writes it: the tunnel passes an upgrade's bytes through unchanged once the
 * head is past, so it cannot use an HTTP library that wants to own the connection. Reading
 * stops at the blank line, so whatever follows stays in the stream for the relay.
 *
 * @param startLine the request line ({@code GET /path HTTP/1.1}) or status line ({@code HTTP/1.1 101 ...})
 * @param headers   name and value of each header line, in order
 */
public record HttpHead(String startLine, List<Map.Entry<String, String>> headers) {

    /** The largest head read (as Jetty's default request header size, doubled). */
    public static final int MAX_BYTES = 16 * 1024;

    public HttpHead {
        headers = List.copyOf(headers);
    }

    /**
     * Reads one head from {@code in} (which should be buffered: it is read a byte at a time).
     *
     * @throws EOFException      the stream ended before the head did
     * @throws MalformedHead     not a head: too long, a bare line feed, a line without a colon, a control character
     */
    public static HttpHead read(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended inside an HTTP head");
            }
            if (++total > MAX_BYTES) {
                throw new MalformedHead("the HTTP head is longer than " + MAX_BYTES + " bytes");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new MalformedHead("a carriage return without a line feed in the HTTP head");
                }
                total++;
                if (line.isEmpty()) {
                    break;
                }
                lines.add(line.toString());
                line.setLength(0);
            } else if (b == '\n' || b == 0 || (b < 0x20 && b != '\t') || b == 0x7f) {
                throw new MalformedHead("a control character in the HTTP head");
            } else {
                line.append((char) b);
            }
        }
        if (lines.isEmpty()) {
            throw new MalformedHead("an empty HTTP head");
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String header : lines.subList(1, lines.size())) {
            int colon = header.indexOf(':');
            if (colon <= 0 || !header.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new MalformedHead("a header line that is not 'name: value'");
            }
            headers.add(Map.entry(header.substring(0, colon), header.substring(colon + 1).strip()));
        }
        return new HttpHead(lines.getFirst(), headers);
    }

    /** The first value of {@code name} (any case). */
    public Optional<String> first(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    /** How many header lines carry {@code name} (any case). */
    public long count(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).count();
    }

    /** The status of a response head; -1 when the status line is not one. */
    public int status() {
        String[] parts = startLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            return -1;
        }
        return Integer.parseInt(parts[1]);
    }

    /** Whether a request head asks to switch protocols ({@code Upgrade} with {@code Connection: upgrade}). */
    public boolean isUpgrade() {
        return first("Upgrade").isPresent() && headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Connection")
                && List.of(h.getValue().toLowerCase(Locale.ROOT).split("\\s*,\\s*")).contains("upgrade"));
    }

    /** The head as written on the wire, blank line included. Values were read from a head, or checked by the caller. */
    public byte[] encode() {
        StringBuilder out = new StringBuilder(startLine).append("\r\n");
        for (Map.Entry<String, String> header : headers) {
            out.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        return out.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Input that is not an HTTP head. */
    public static final class MalformedHead extends IOException {
        public MalformedHead(String message) {
            super(message);
        }
    }
}
