package io.wrenn.hostagent.rpc;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Turns the data messages of a client stream into an {@link InputStream} for the HTTP upload.
 *
 * <p>Bounded by flow control rather than by the queue: the gRPC call delivers a message only
 * after we {@code request()} it, we request {@link #WINDOW} up front and one more each time the
 * reader finishes a chunk, so at most {@code WINDOW} chunks are ever held.
 */
final class ChunkPipe extends InputStream {

    static final int WINDOW = 8;

    private static final byte[] END = new byte[0];

    private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final Runnable requestOne;
    private byte[] current;
    private int position;
    private boolean ended;
    private long total;

    /** @param requestOne asks the gRPC call for one more message */
    ChunkPipe(Runnable requestOne) {
        this.requestOne = requestOne;
    }

    void offer(byte[] chunk) {
        chunks.add(chunk);
    }

    void finish() {
        chunks.add(END);
    }

    void fail(Throwable cause) {
        chunks.add(cause);
    }

    /** Bytes handed to the reader so far. */
    long total() {
        return total;
    }

    /** Whether the client's stream ended normally and all of it was read. */
    boolean ended() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || position == current.length) {
            if (ended) {
                return -1;
            }
            if (current != null) {
                current = null;
                requestOne.run();
            }
            Object next;
            try {
                next = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (next instanceof Throwable t) {
                throw new IOException("the upload was abandoned", t);
            }
            byte[] chunk = (byte[]) next;
            if (chunk == END) {
                ended = true;
                return -1;
            }
            current = chunk;
            position = 0;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        total += n;
        return n;
    }
}
