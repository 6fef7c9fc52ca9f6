package io.wrenn.envd.process;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A pseudo-terminal for a process started with {@code pty}. envd keeps the master (it reads the
 * terminal's output and writes the client's input) and also holds the slave open until the
 * process exits, so reading the master never fails before the process has opened its side.
 * The process opens the slave by path, as the leader of a new session, which makes it its
 * controlling terminal.
 */
public final class Pty {
    private final int master;
    private final String slavePath;
    private final Object slaveLock = new Object();
    private int slave; // -1 once closed; guarded by slaveLock
    private volatile boolean closed;

    private Pty(int master, int slave, String slavePath) {
        this.master = master;
        this.slave = slave;
        this.slavePath = slavePath;
    }

    static Pty open(int cols, int rows) {
        try {
            int[] fds = Libc.openPty();
            var pty = new Pty(fds[0], fds[1], "/dev/pts/" + fds[2]);
            Libc.setWindowSize(pty.master, cols, rows);
            return pty;
        } catch (Libc.ErrnoException e) {
            throw new ConnectException(Code.INTERNAL, "cannot open a pseudo-terminal: " + e.getMessage(), e);
        }
    }

    public String slavePath() {
        return slavePath;
    }

    void resize(int cols, int rows) {
        try {
            Libc.setWindowSize(master, cols, rows);
        } catch (Libc.ErrnoException e) {
            throw new ConnectException(Code.INTERNAL, "cannot resize the terminal: " + e.getMessage(), e);
        }
    }

    void write(byte[] data) {
        try {
            Libc.writeFully(master, data);
        } catch (Libc.ErrnoException e) {
            throw new ConnectException(Code.FAILED_PRECONDITION, "cannot write to the terminal: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the terminal's output to {@code sink} until every slave is closed (EIO), then closes
     * the master. Only this reader closes the master, so its descriptor is never closed under a
     * blocked read (and never reused while one is in progress).
     */
    void pumpThenClose(ChunkSink sink) throws InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(32 * 1024);
            MemorySegment state = Libc.callState(arena);
            while (!closed) {
                int n;
                try {
                    n = Libc.read(master, buffer, state);
                } catch (Libc.ErrnoException e) {
                    return; // EIO: the last slave was closed
                }
                if (n == 0) {
                    return;
                }
                sink.accept(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
        } finally {
            closed = true;
            closeSlave();
            Libc.close(master);
        }
    }

    @FunctionalInterface
    interface ChunkSink {
        void accept(byte[] data) throws InterruptedException;
    }

    /** Drops envd's hold on the slave once the process exited, so the reader sees EIO after the rest drains. */
    void closeSlave() {
        synchronized (slaveLock) {
            if (slave >= 0) {
                Libc.close(slave);
                slave = -1;
            }
        }
    }

    /** Releases both sides when the process could not be started (no reader exists yet). */
    void closeUnused() {
        closed = true;
        closeSlave();
        Libc.close(master);
    }
}
