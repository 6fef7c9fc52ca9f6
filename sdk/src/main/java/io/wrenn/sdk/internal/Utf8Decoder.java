package io.wrenn.sdk.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a byte stream that arrives in chunks into text, keeping a character split across
 * chunks until its last byte comes (a process's output is cut wherever its pipe was read).
 * Not thread-safe: one per stream.
 */
final class Utf8Decoder {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);

    String decode(byte[] chunk) {
        ByteBuffer input = ByteBuffer.allocate(pending.remaining() + chunk.length);
        input.put(pending).put(chunk).flip();
        CharBuffer output = CharBuffer.allocate(input.remaining() + 1);
        decoder.decode(input, output, false);
        pending = input.slice();
        return output.flip().toString();
    }

    /** What is left at the end of the stream (a cut character becomes U+FFFD). */
    String finish() {
        CharBuffer output = CharBuffer.allocate(pending.remaining() + 2);
        decoder.decode(pending, output, true);
        decoder.flush(output);
        pending = ByteBuffer.allocate(0);
        return output.flip().toString();
    }
}
