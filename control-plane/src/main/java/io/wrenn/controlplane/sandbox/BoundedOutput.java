package io.wrenn.controlplane.sandbox;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One output stream of a process, kept up to a limit: bytes past it are counted and dropped,
 * so a chatty process costs bounded memory however long it runs.
 */
final class BoundedOutput {

    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long total;

    BoundedOutput(int limit) {
        this.limit = limit;
    }

    void append(ByteString chunk) {
        total += chunk.size();
        int room = limit - kept.size();
        if (room > 0) {
            kept.writeBytes(chunk.substring(0, Math.min(room, chunk.size())).toByteArray());
        }
    }

    boolean truncated() {
        return total > kept.size();
    }

    /**
     * The kept bytes. When truncated, a UTF-8 character cut in half at the limit is dropped
     * too, so that cutting text does not make it look binary.
     */
    byte[] bytes() {
        byte[] bytes = kept.toByteArray();
        return truncated() ? Arrays.copyOf(bytes, bytes.length - incompleteTail(bytes)) : bytes;
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Length of an unfinished multi-byte UTF-8 sequence at the end of {@code bytes} (0 to 3). */
    private static int incompleteTail(byte[] bytes) {
        for (int back = 1; back <= Math.min(3, bytes.length); back++) {
            int b = bytes[bytes.length - back] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // a continuation byte: keep looking for the lead byte
            }
            int needed = (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 1;
            return needed > back ? back : 0;
        }
        return 0;
    }
}
