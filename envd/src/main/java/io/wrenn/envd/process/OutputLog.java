package io.wrenn.envd.process;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A process's output, kept in a bounded window so that a client attaching late first receives
 * what it missed, followed by the end of the process.
 *
 * <p>Chunks are numbered. Each reader holds a {@link Cursor}. When the window is full, the oldest
 * chunk is dropped — unless a <em>holding</em> cursor (the client that started the process and is
 * still connected) has not read it yet: then the writer waits, the pipe fills, and the process
 * blocks on write. So the live stream of {@code Start} loses nothing and applies back-pressure,
 * while clients that reattach later may miss output older than the window.
 */
public final class OutputLog {
    /** Small chunks are charged at least this much, so the window also bounds the chunk count. */
    private static final int MIN_CHARGE = 64;
    /** The most one {@link #read} returns when it joins chunks. */
    static final int MAX_READ = 64 * 1024;

    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<OutputChunk> chunks = new ArrayList<>();
    private final Set<Cursor> holding = new HashSet<>();
    private int head; // index in chunks of the oldest retained chunk
    private long firstSeq; // sequence number of chunks[head]
    private long bytes;
    private boolean closed;

    public OutputLog(long capacityBytes) {
        this.capacity = capacityBytes;
    }

    /** A reader's position. */
    public final class Cursor implements AutoCloseable {
        private long next;

        private Cursor(long next) {
            this.next = next;
        }

        /** Stops holding back the writer; the reader may then miss output it is too slow for. */
        @Override
        public void close() {
            lock.lock();
            try {
                holding.remove(this);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** What {@link #read} found. */
    public sealed interface Item {
        record Data(OutputChunk chunk) implements Item {
        }

        /** Nothing arrived within the wait; the caller may send a keepalive. */
        record Idle() implements Item {
        }

        /** The log is closed and this reader has read everything. */
        record End() implements Item {
        }
    }

    /** A cursor at the oldest retained output that holds back the writer until closed. */
    public Cursor holdingCursorFromStart() {
        lock.lock();
        try {
            var cursor = new Cursor(firstSeq);
            holding.add(cursor);
            return cursor;
        } finally {
            lock.unlock();
        }
    }

    /** A cursor at the oldest retained output that never holds back the writer. */
    public Cursor cursorFromStart() {
        lock.lock();
        try {
            return new Cursor(firstSeq);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a chunk, waiting while a holding cursor still needs the chunks that would have to be
     * dropped to make room. After {@link #close()} chunks are discarded.
     */
    public void append(OutputChunk chunk) throws InterruptedException {
        long charge = charge(chunk);
        lock.lock();
        try {
            while (!closed && bytes + charge > capacity && size() > 0) {
                if (firstSeq < minHoldingPosition()) {
                    dropOldest();
                } else {
                    changed.await();
                }
            }
            if (closed) {
                return;
            }
            chunks.add(chunk);
            bytes += charge;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more output will come; readers get {@link Item.End} after the rest. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next item for {@code cursor}, waiting at most {@code waitMillis} for one. */
    public Item read(Cursor cursor, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        lock.lock();
        try {
            while (true) {
                if (cursor.next < firstSeq) {
                    cursor.next = firstSeq; // this reader was too slow; the window moved on
                }
                long nextSeq = firstSeq + size();
                if (cursor.next < nextSeq) {
                    OutputChunk chunk = takeRun(cursor, nextSeq);
                    changed.signalAll(); // a waiting writer may now drop what this reader has passed
                    return new Item.Data(chunk);
                }
                if (closed) {
                    return new Item.End();
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return new Item.Idle();
                }
                changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The chunk at the cursor joined with those after it of the same stream that are already
     * here, up to {@link #MAX_READ} bytes: a fast writer's many small pipe reads then travel as
     * few messages (each costs an event, a flush and a frame on every hop to the client).
     */
    private OutputChunk takeRun(Cursor cursor, long nextSeq) {
        OutputChunk first = chunks.get(head + (int) (cursor.next - firstSeq));
        cursor.next++;
        int total = first.data().length;
        long end = cursor.next;
        while (end < nextSeq) {
            OutputChunk next = chunks.get(head + (int) (end - firstSeq));
            if (next.stream() != first.stream() || total + next.data().length > MAX_READ) {
                break;
            }
            total += next.data().length;
            end++;
        }
        if (end == cursor.next) {
            return first;
        }
        byte[] joined = new byte[total];
        int at = 0;
        for (long seq = cursor.next - 1; seq < end; seq++) {
            byte[] data = chunks.get(head + (int) (seq - firstSeq)).data();
            System.arraycopy(data, 0, joined, at, data.length);
            at += data.length;
        }
        cursor.next = end;
        return new OutputChunk(first.stream(), joined);
    }

    private int size() {
        return chunks.size() - head;
    }

    private long minHoldingPosition() {
        long min = Long.MAX_VALUE;
        for (Cursor c : holding) {
            min = Math.min(min, c.next);
        }
        return min;
    }

    private void dropOldest() {
        bytes -= charge(chunks.get(head));
        chunks.set(head, null);
        head++;
        firstSeq++;
        if (head > 1024 && head > chunks.size() / 2) {
            chunks.subList(0, head).clear();
            head = 0;
        }
    }

    private static long charge(OutputChunk chunk) {
        return Math.max(chunk.data().length, MIN_CHARGE);
    }
}
