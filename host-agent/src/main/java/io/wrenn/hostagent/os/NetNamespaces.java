package io.wrenn.hostagent.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside a named network namespace ({@code setns(2)}, which the JDK does not offer), so
 * that the sockets it opens belong to that namespace while the rest of the JVM stays in the
 * host's. The code runs on a platform thread of its own that ends with it: a namespace is a
 * property of an OS thread, and a virtual thread's carrier, or a pooled thread, must never be
 * left in a sandbox's namespace.
 */
public final class NetNamespaces {

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final MethodHandle OPEN = Libc.downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = Libc.downcall("setns",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = Libc.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private NetNamespaces() {
    }

    /** Runs {@code action} in the namespace {@code /run/netns/<name>} and returns what it returns. */
    public static <T> T inNamespace(String name, Callable<T> action) throws IOException {
        Path file = Path.of("/run/netns", name);
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("wrenn-netns-" + name).start(() -> {
            try {
                enter(file);
                result.set(action.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in namespace " + name, e);
        }
        if (failure.get() instanceof IOException io) {
            throw io;
        }
        if (failure.get() != null) {
            throw new IOException("could not work in namespace " + name + ": " + failure.get(), failure.get());
        }
        return result.get();
    }

    private static void enter(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open " + file + ": errno " + Libc.errno(state));
            }
            try {
                int done = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
                if (done != 0) {
                    throw new IOException("cannot enter " + file + ": errno " + Libc.errno(state));
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns failed", t);
        }
    }
}
