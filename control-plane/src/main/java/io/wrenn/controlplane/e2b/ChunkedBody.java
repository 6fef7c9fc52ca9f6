package io.wrenn.controlplane.e2b;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Decoding a chunked HTTP/1.1 body (RFC 9112 §7.1) read from a raw connection; trailers are dropped. */
final class ChunkedBody {

    private static final int MAX_LINE = 4096;

    private ChunkedBody() {
    }

    /** Copies the decoded body of {@code in} to {@code out}, flushing each chunk. */
    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a chunk size that is not hexadecimal");
            }
            if (size < 0) {
                throw new IOException("a negative chunk size");
            }
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers: not passed on
                }
                return;
            }
            while (size > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size));
                if (n < 0) {
                    throw new EOFException("the body ended inside a chunk");
                }
                out.write(buffer, 0, n);
                size -= n;
            }
            out.flush();
            if (!line(in).isEmpty()) {
                throw new IOException("a chunk longer than its size");
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the body ended inside a chunk header");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("a chunk header line that is too long");
            }
            line.append((char) b);
        }
    }
}
