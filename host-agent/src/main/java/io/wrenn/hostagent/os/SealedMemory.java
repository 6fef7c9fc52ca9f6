package io.wrenn.hostagent.os;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A copy of a file in memory ({@code memfd_create(2)}) that nobody can change any more: sealed
 * against writes, shrinking and growing ({@code F_ADD_SEALS}). Any process may still map it
 * privately, copy-on-write, and read it; {@code write(2)}, a shared writable mapping, a hole
 * punched or a truncation fail with {@code EPERM} on every descriptor of it, whoever holds it and
 * however it was opened.
 *
 * <p>It lives as long as a descriptor or a mapping of it does; {@link #path()} names this
 * process's descriptor, through which another process (with the right to look into this one)
 * opens it.
 */
public final class SealedMemory implements AutoCloseable {

    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;
    private static final int F_SEAL_SEAL = 1;
    private static final int F_SEAL_SHRINK = 2;
    private static final int F_SEAL_GROW = 4;
    private static final int F_SEAL_WRITE = 8;
    /** Every seal there is to set: no write, no size change, and no seal removed (there is no way to) or added. */
    public static final int ALL_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    /** Copied in pieces this big; a piece of zeros is skipped (the copy reads as zeros there anyway). */
    private static final int PIECE = 1 << 20;

    private static final MethodHandle MEMFD_CREATE = Libc.downcall("memfd_create",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle FTRUNCATE = Libc.downcall("ftruncate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    /** fcntl(2) with an int, its variadic third argument. */
    private static final MethodHandle FCNTL = Libc.downcall("fcntl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Libc.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;
    private final long size;
    private boolean closed;

    private SealedMemory(int fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * A sealed copy of {@code source}, named {@code name} (for {@code /proc/PID/fd} readers). Only
     * the file's data regions are read, and pieces of zeros are not written, so the copy takes
     * memory only for what the file really holds.
     */
    public static SealedMemory copyOf(Path source, String name) throws IOException {
        long size = Files.size(source);
        int fd = create(name);
        SealedMemory memory = new SealedMemory(fd, size);
        try {
            memory.resize(size);
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                    FileChannel out = FileChannel.open(memory.path(), StandardOpenOption.WRITE)) {
                ByteBuffer piece = ByteBuffer.allocateDirect(PIECE);
                ByteBuffer zeros = ByteBuffer.allocateDirect(PIECE);
                for (SparseFiles.Region region : SparseFiles.dataRegions(source)) {
                    copy(in, out, region, piece, zeros);
                }
            }
            memory.seal();
            return memory;
        } catch (IOException | RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    private static void copy(FileChannel in, FileChannel out, SparseFiles.Region region, ByteBuffer piece, ByteBuffer zeros)
            throws IOException {
        long end = region.offset() + region.length();
        for (long at = region.offset(); at < end; ) {
            piece.clear().limit((int) Math.min(PIECE, end - at));
            int read = in.read(piece, at);
            if (read <= 0) {
                return; // the file shrank under us: the rest reads as zeros, as a hole would
            }
            piece.flip();
            if (piece.mismatch(zeros.clear().limit(read)) != -1) {
                for (long written = at; piece.hasRemaining(); ) {
                    written += out.write(piece, written);
                }
            }
            at += read;
        }
    }

    /** Where another process opens this copy: this process's descriptor of it under {@code /proc}. */
    public Path path() {
        return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
    }

    public long size() {
        return size;
    }

    /** The seals the copy carries ({@link #ALL_SEALS} once made). */
    public int seals() throws IOException {
        return Libc.checked("read the seals of an in-memory file", (state, arena) -> (int) FCNTL.invokeExact(state, fd, F_GET_SEALS, 0));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libc.checked("close an in-memory file", (state, arena) -> (int) CLOSE.invokeExact(state, fd));
        } catch (IOException e) {
            // Nothing to do about it: the descriptor is gone either way.
        }
    }

    private static int create(String name) throws IOException {
        return Libc.checked("create an in-memory file", (state, arena) ->
                (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING));
    }

    private void resize(long length) throws IOException {
        Libc.checked("size an in-memory file to " + length + " bytes", (state, arena) -> (int) FTRUNCATE.invokeExact(state, fd, length));
    }

    private void seal() throws IOException {
        Libc.checked("seal an in-memory file", (state, arena) -> (int) FCNTL.invokeExact(state, fd, F_ADD_SEALS, ALL_SEALS));
    }
}
