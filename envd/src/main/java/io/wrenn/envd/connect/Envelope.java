package io.wrenn.envd.connect;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Connect streaming frame: one flags byte, a 4-byte big-endian length, then the message.
 * Flag {@code 0x01} marks a compressed message, {@code 0x02} the end-of-stream message.
 */
public record Envelope(int flags, byte[] payload) {
    public static final int COMPRESSED = 0x01;
    public static final int END_STREAM = 0x02;

    /** Anything larger than this is refused rather than buffered. */
    public static final int MAX_REQUEST_MESSAGE = RequestBodies.MAX_MESSAGE_BYTES;

    public boolean isEndStream() {
        return (flags & END_STREAM) != 0;
    }

    /** Reads one envelope, or returns null at a clean end of input. */
    public static Envelope read(InputStream in) throws IOException {
        int flags = in.read();
        if (flags < 0) {
            return null;
        }
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new EOFException("truncated envelope header");
        }
        long length = ((header[0] & 0xffL) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        if (length > MAX_REQUEST_MESSAGE) {
            throw new IOException("message of " + length + " bytes is too large");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("truncated envelope");
        }
        return new Envelope(flags, payload);
    }

    public void writeTo(OutputStream out) throws IOException {
        int length = payload.length;
        out.write(new byte[] {(byte) flags, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        out.write(payload);
    }
}
