package io.wrenn.hostagent.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The end of a guest's console for a person to read: the last bytes of {@code serial.log}, and
 * when it holds fewer than asked (it was just emptied by {@link ConsoleLog#cap}) the end of
 * {@code serial.log.1} before them. The guest wrote those files and may have filled them to the
 * bound with anything: only the bytes asked for (at most {@link #MAX_BYTES}) are read, never a
 * whole file, and they reach the caller only as {@link ConsoleText}. A tail that does not start
 * at the beginning of the console starts at the beginning of a line, unless one line fills it.
 */
public final class ConsoleTail {

    /** What is read when the caller asks for no particular amount. */
    public static final int DEFAULT_BYTES = 64 * 1024;
    /** The most read in one call, whatever the caller asks. */
    public static final int MAX_BYTES = 256 * 1024;

    private static final byte NEWLINE = '\n';

    private ConsoleTail() {
    }

    /**
     * @param text      the console's end, safe for a terminal
     * @param truncated whether earlier output exists that is not in {@code text}
     */
    public record Tail(String text, boolean truncated) {
        static final Tail EMPTY = new Tail("", false);
    }

    /**
     * The end of the console logged at {@code log} (and its previous part). A missing log is an
     * empty console: a sandbox that has not started its VM yet has written nothing.
     *
     * @param maxBytes at most this many bytes; 0 = {@link #DEFAULT_BYTES}, more than
     *                 {@link #MAX_BYTES} (or negative, an unsigned wire value past 2 GiB) = {@link #MAX_BYTES}
     */
    public static Tail read(Path log, int maxBytes) throws IOException {
        int want = maxBytes == 0 ? DEFAULT_BYTES : maxBytes < 0 ? MAX_BYTES : Math.min(maxBytes, MAX_BYTES);
        End current = End.of(log, want);
        if (current.before() != End.NONE) {
            return cut(current.bytes(), current.before());
        }
        // The whole log fits: what comes before it is the end of the previous part, if any.
        End earlier = End.of(ConsoleLog.rotated(log), want - current.bytes().length);
        if (!earlier.exists()) {
            byte[] whole = current.bytes();
            return whole.length == 0 ? Tail.EMPTY : new Tail(ConsoleText.forTerminal(whole, 0, whole.length), false);
        }
        // Its byte before what was read tells where a line starts; when all of it was read nobody
        // knows (NONE): the rotation cut wherever the bound fell, and the output before it is gone.
        return cut(concat(earlier.bytes(), current.bytes()), earlier.before());
    }

    /** A tail with earlier output before it, from its first whole line; {@code before} is the byte before it, if known. */
    private static Tail cut(byte[] bytes, int before) {
        int start = before == NEWLINE ? 0 : lineStart(bytes);
        return new Tail(ConsoleText.forTerminal(bytes, start, bytes.length - start), true);
    }

    /**
     * Where the first whole line of {@code bytes} begins: after the first newline, if anything
     * follows it; else (one line fills the tail) at the first byte that starts a UTF-8 character.
     */
    private static int lineStart(byte[] bytes) {
        for (int i = 0; i < bytes.length - 1; i++) {
            if (bytes[i] == NEWLINE) {
                return i + 1;
            }
        }
        int i = 0;
        while (i < bytes.length && i < 3 && (bytes[i] & 0xc0) == 0x80) {
            i++;
        }
        return i;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        if (first.length == 0) {
            return second;
        }
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /**
     * The last bytes of one file, and the byte just before them.
     *
     * @param before the byte before {@code bytes}, or {@link #NONE} when they start the file
     * @param exists whether the file was there
     */
    private record End(byte[] bytes, int before, boolean exists) {
        static final int NONE = -1;
        static final End MISSING = new End(new byte[0], NONE, false);

        /**
         * Reads at most {@code want} bytes from the end of {@code file} and the one before them
         * ({@code want} 0: only its last byte, as {@code before}). The file may shrink meanwhile
         * (a rotation empties it): what was there is returned.
         */
        static End of(Path file, int want) throws IOException {
            // Opened without following links, and read once: the size is taken from the open file.
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = in.size();
                long from = Math.max(0, size - Math.max(0, want));
                long readFrom = from == 0 ? 0 : from - 1;
                ByteBuffer buffer = ByteBuffer.allocate((int) (size - readFrom));
                while (buffer.hasRemaining() && in.read(buffer, readFrom + buffer.position()) > 0) {
                    // read on: a short read is not the end
                }
                byte[] read = new byte[buffer.position()];
                System.arraycopy(buffer.array(), 0, read, 0, read.length);
                if (readFrom == from || read.length == 0) {
                    return new End(read, NONE, true);
                }
                byte[] tail = new byte[read.length - 1];
                System.arraycopy(read, 1, tail, 0, tail.length);
                return new End(tail, read[0] & 0xff, true);
            } catch (NoSuchFileException e) {
                return MISSING;
            }
        }
    }
}
