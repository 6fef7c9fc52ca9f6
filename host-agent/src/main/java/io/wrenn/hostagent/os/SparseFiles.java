package io.wrenn.hostagent.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a sparse file holds data ({@code lseek(2)} with {@code SEEK_DATA}/{@code SEEK_HOLE},
 * which the JDK does not offer): a sandbox's RAM file is mostly holes, and reading a hole is not
 * free — the kernel fills the page cache with zeroed pages for it. And the blocks of a file
 * reserved ahead ({@code fallocate(2)}), which leave it reading as holes where nothing was written.
 */
public final class SparseFiles {

    /** A run of bytes that may hold data; everything between runs reads as zeros. */
    public record Region(long offset, long length) {
    }

    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_CLOEXEC = 02000000;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;

    private static final MethodHandle OPEN = Libc.downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    /** open(2) with a mode, its variadic third argument. */
    private static final MethodHandle OPEN_CREATE = Libc.downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle LSEEK = Libc.downcall("lseek",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle FALLOCATE = Libc.downcall("fallocate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private SparseFiles() {
    }

    /**
     * The file's data regions in order. A file system that cannot tell holes from data gives the
     * whole file as one region, which is never wrong, only slower to read.
     */
    public static List<Region> dataRegions(Path file) throws IOException {
        long size = Files.size(file);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open " + file + ": errno " + Libc.errno(state));
            }
            try {
                List<Region> regions = new ArrayList<>();
                long at = 0;
                while (at < size) {
                    long data = (long) LSEEK.invokeExact(state, fd, at, SEEK_DATA);
                    if (data < 0) {
                        int errno = Libc.errno(state);
                        if (errno == ENXIO) {
                            break; // only a hole is left
                        }
                        return List.of(new Region(0, size)); // SEEK_DATA not supported here
                    }
                    long hole = (long) LSEEK.invokeExact(state, fd, data, SEEK_HOLE);
                    if (hole < 0) {
                        return List.of(new Region(0, size));
                    }
                    long end = Math.min(hole, size);
                    if (end > data) {
                        regions.add(new Region(data, end - data));
                    }
                    at = end;
                }
                return regions;
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("lseek binding failed", t);
        }
    }

    /**
     * Gives the first {@code length} bytes of the file (created, 0600, if absent) their blocks on
     * disk, keeping what it holds: a write into a shared mapping of it can then never meet a full
     * disk, which the kernel answers with SIGBUS, killing the writer. Returns false where the file
     * system cannot do it (the file stays as it was); a full disk is an IOException that says so.
     */
    public static boolean allocate(Path file, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = (int) OPEN_CREATE.invokeExact(state, arena.allocateFrom(file.toString()), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0) {
                throw new IOException("cannot open " + file + ": errno " + Libc.errno(state));
            }
            try {
                if ((int) FALLOCATE.invokeExact(state, fd, 0, 0L, length) == 0) {
                    return true;
                }
                int errno = Libc.errno(state);
                if (errno == EOPNOTSUPP) {
                    return false;
                }
                throw new IOException(errno == ENOSPC ? "No space left on device: cannot reserve " + (length >> 20)
                        + " MiB for " + file.getFileName() : "cannot reserve the blocks of " + file + ": errno " + errno);
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("fallocate binding failed", t);
        }
    }
}
