package io.wrenn.hostagent.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library's calls that the JDK does not offer, bound once: every handle made here takes a
 * call-state segment ({@link #CALL_STATE}) as its first argument, from which {@link #errno} reads
 * what the call set.
 */
final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    /** Where a bound call leaves errno; allocate one per call (or per confined arena). */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Libc() {
    }

    /** The C library's {@code name}, capturing errno (see the class comment). */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, all);
    }

    /** One bound call, given its call state (and an arena for its arguments). */
    @FunctionalInterface
    interface Call {
        int invoke(MemorySegment state, java.lang.foreign.Arena arena) throws Throwable;
    }

    /**
     * Makes {@code call} and returns what it returned; a negative answer is an IOException that
     * says {@code what} could not be done and the errno.
     */
    static int checked(String what, Call call) throws java.io.IOException {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = call.invoke(state, arena);
            if (result < 0) {
                throw new java.io.IOException("cannot " + what + ": errno " + errno(state));
            }
            return result;
        } catch (java.io.IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("the C library binding failed: " + what, t);
        }
    }

    /** The errno the call that was given {@code state} left. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
