package io.wrenn.hostagent.guest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * One frame of a Connect streaming body: a flag byte, a 4-byte big-endian length, the payload.
 * Flag bit {@code 0x02} marks the end-of-stream frame, whose payload is {@code {}} or
 * {@code {"error":{...}}}; bit {@code 0x01} marks a compressed payload, which we never ask for.
 */
public record ConnectEnvelope(int flags, byte[] payload) {

    public static final int FLAG_COMPRESSED = 0x01;
    public static final int FLAG_END_STREAM = 0x02;
    /** Refuse frames larger than this: a guest must not make the host allocate without bound. */
    public static final int MAX_PAYLOAD = 16 << 20;

    public boolean isEndStream() {
        return (flags & FLAG_END_STREAM) != 0;
    }

    /** Encodes a message frame (flags 0). */
    public static byte[] encode(byte[] payload) {
        return encode(0, payload);
    }

    public static byte[] encode(int flags, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(5 + payload.length);
        buffer.put((byte) flags).putInt(payload.length).put(payload);
        return buffer.array();
    }

    /**
     * Reads the next frame, or returns {@code null} at a clean end of the stream (no bytes left).
     *
     * @throws EOFException when the stream ends inside a frame
     * @throws IOException  when a frame is larger than {@link #MAX_PAYLOAD} or compressed
     */
    public static ConnectEnvelope read(InputStream in) throws IOException {
        int flags = in.read();
        if (flags < 0) {
            return null;
        }
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("Connect frame of " + Integer.toUnsignedString(length) + " bytes refused");
        }
        if ((flags & FLAG_COMPRESSED) != 0) {
            throw new IOException("compressed Connect frame not supported");
        }
        byte[] payload = new byte[length];
        data.readFully(payload);
        return new ConnectEnvelope(flags, payload);
    }

    /** Concatenates frames, for tests and request bodies. */
    public static byte[] concat(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }
}
