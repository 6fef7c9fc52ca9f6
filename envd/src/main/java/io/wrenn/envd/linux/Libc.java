package io.wrenn.envd.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.time.Instant;

/**
 * The system calls the JDK does not offer: {@code kill(2)} with a process group (negative pid),
 * so a signal reaches a whole command tree; {@code clock_settime(2)}, to set the guest clock after
 * a snapshot restore; the pseudo-terminal calls behind {@link io.wrenn.envd.process.Pty}; the
 * per-thread filesystem identity behind {@link io.wrenn.envd.user.FileAccess}; and inotify, whose
 * watches must be added by the thread that acts as the watching user.
 * Bound with java.lang.foreign; no native library of our own. Constants are Linux's (x86-64 and
 * arm64 agree on all of them).
 */
public final class Libc {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int ENOENT = 2;
    private static final int CLOCK_REALTIME = 0;
    private static final int O_RDWR = 02;
    private static final int O_NOCTTY = 0400;
    private static final int O_CLOEXEC = 02000000;
    private static final long TIOCSWINSZ = 0x5414L;
    private static final long TIOCGPTN = 0x80045430L;
    private static final short POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    // Each group of calls is bound on first use (holder classes): binding costs tens of
    // milliseconds, and a cold-booted guest should pay only for what it uses.
    private static final class Signals {
        static final MethodHandle KILL = downcall("kill",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Clock {
        static final MethodHandle CLOCK_SETTIME = downcall("clock_settime",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private static final class Random {
        static final MethodHandle OPEN = downcall("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle IOCTL_PTR = downcall("ioctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle CLOSE = downcall("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Terminal {
        static final MethodHandle POSIX_OPENPT = downcall("posix_openpt",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle GRANTPT = downcall("grantpt",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle UNLOCKPT = downcall("unlockpt",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle OPEN = downcall("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle CLOSE = downcall("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle READ = downcall("read",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        static final MethodHandle WRITE = downcall("write",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        static final MethodHandle IOCTL_PTR = downcall("ioctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.firstVariadicArg(2));
    }

    /**
     * setfsuid, setfsgid and setgroups as raw system calls. The kernel keeps credentials per
     * thread; glibc's {@code setgroups()} wrapper broadcasts the change to every thread of the
     * process (POSIX wants process-wide ids), the raw call does not. Numbers differ per
     * architecture (x86-64 / arm64).
     */
    private static final class Credentials {
        static final boolean ARM64 = System.getProperty("os.arch").equals("aarch64");
        static final long SYS_GETGROUPS = ARM64 ? 158 : 115;
        static final long SYS_SETGROUPS = ARM64 ? 159 : 116;
        static final long SYS_SETFSUID = ARM64 ? 151 : 122;
        static final long SYS_SETFSGID = ARM64 ? 152 : 123;
        static final MethodHandle SYSCALL = downcall("syscall",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.firstVariadicArg(1));
    }

    private static final class Inotify {
        static final MethodHandle INIT1 = downcall("inotify_init1",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle ADD_WATCH = downcall("inotify_add_watch",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle POLL = downcall("poll",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    private Libc() {
    }

    /** Binds the calls envd needs soonest ({@code clock_settime} for the first /init, {@code kill}, the identity calls), ahead of use. */
    public static void warmUp() {
        MethodHandle ignored = Clock.CLOCK_SETTIME;
        ignored = Signals.KILL;
        ignored = Credentials.SYSCALL;
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        var all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol, descriptor, all);
    }

    /** A failed call: the errno, and which call it was. */
    public static final class ErrnoException extends java.io.IOException {
        private final int errno;

        ErrnoException(String call, int errno) {
            super(call + " failed: errno " + errno);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * Opens a new pseudo-terminal; returns {master fd, slave fd, pty number}. Both fds are
     * close-on-exec, and the slave is opened without becoming envd's controlling terminal.
     */
    public static int[] openPty() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int master = (int) Terminal.POSIX_OPENPT.invokeExact(state, O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (master < 0) {
                throw new ErrnoException("posix_openpt", errno(state));
            }
            try {
                if ((int) Terminal.GRANTPT.invokeExact(state, master) != 0) {
                    throw new ErrnoException("grantpt", errno(state));
                }
                if ((int) Terminal.UNLOCKPT.invokeExact(state, master) != 0) {
                    throw new ErrnoException("unlockpt", errno(state));
                }
                MemorySegment number = arena.allocate(ValueLayout.JAVA_INT);
                if ((int) Terminal.IOCTL_PTR.invokeExact(state, master, TIOCGPTN, number) != 0) {
                    throw new ErrnoException("ioctl(TIOCGPTN)", errno(state));
                }
                int n = number.get(ValueLayout.JAVA_INT, 0);
                MemorySegment path = arena.allocateFrom("/dev/pts/" + n);
                int slave = (int) Terminal.OPEN.invokeExact(state, path, O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (slave < 0) {
                    throw new ErrnoException("open(/dev/pts/" + n + ")", errno(state));
                }
                return new int[] {master, slave, n};
            } catch (ErrnoException e) {
                close(master);
                throw e;
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("openpty failed", t);
        }
    }

    /** Sets a terminal's size (the kernel then signals SIGWINCH to its foreground process group). */
    public static void setWindowSize(int fd, int cols, int rows) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment winsize = arena.allocate(8, 2); // unsigned short rows, cols, xpixel, ypixel
            winsize.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            winsize.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
            if ((int) Terminal.IOCTL_PTR.invokeExact(state, fd, TIOCSWINSZ, winsize) != 0) {
                throw new ErrnoException("ioctl(TIOCSWINSZ)", errno(state));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl failed", t);
        }
    }

    /** Reads into {@code buffer}; returns the count, 0 at end of file. Retries EINTR. */
    public static int read(int fd, MemorySegment buffer, MemorySegment state) throws ErrnoException {
        while (true) {
            long n;
            try {
                n = (long) Terminal.READ.invokeExact(state, fd, buffer, buffer.byteSize());
            } catch (Throwable t) {
                throw new IllegalStateException("read failed", t);
            }
            if (n >= 0) {
                return (int) n;
            }
            int errno = errno(state);
            if (errno != EINTR) {
                throw new ErrnoException("read", errno);
            }
        }
    }

    /** The state segment {@link #read} needs, allocated once per reading thread. */
    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** Writes all of {@code data}. Retries EINTR and EAGAIN. */
    public static void writeFully(int fd, byte[] data) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            long offset = 0;
            while (offset < data.length) {
                long n = (long) Terminal.WRITE.invokeExact(state, fd, buffer.asSlice(offset), (long) data.length - offset);
                if (n < 0) {
                    int errno = errno(state);
                    if (errno == EINTR || errno == EAGAIN) {
                        continue;
                    }
                    throw new ErrnoException("write", errno);
                }
                offset += n;
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("write failed", t);
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int ignored = (int) Terminal.CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close failed", t);
        }
    }

    /** Sends {@code signal} to {@code pid} (a negative pid names a process group); returns 0 or the errno. */
    public static int kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Signals.KILL.invokeExact(state, pid, signal);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("kill failed", t);
        }
    }

    private static long syscall(MemorySegment state, long number, long arg, MemorySegment pointer) {
        try {
            return (long) Credentials.SYSCALL.invokeExact(state, number, arg, pointer);
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + number + " failed", t);
        }
    }

    /**
     * Sets the calling thread's filesystem uid; returns the previous one. Passing -1 changes
     * nothing and so reads it. The kernel reports no error: compare a second read to the wish.
     * Leaving fsuid 0 drops this thread's filesystem capabilities (CAP_DAC_OVERRIDE, CAP_FOWNER,
     * CAP_FSETID, ...); returning to 0 restores them.
     */
    public static int setFsUid(int uid) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) syscall(arena.allocate(CALL_STATE), Credentials.SYS_SETFSUID, Integer.toUnsignedLong(uid), MemorySegment.NULL);
        }
    }

    /** Sets the calling thread's filesystem gid; returns the previous one (see {@link #setFsUid}). */
    public static int setFsGid(int gid) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) syscall(arena.allocate(CALL_STATE), Credentials.SYS_SETFSGID, Integer.toUnsignedLong(gid), MemorySegment.NULL);
        }
    }

    /** Sets the calling thread's supplementary groups, and only this thread's. */
    public static void setThreadGroups(int[] gids) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment list = gids.length == 0 ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_INT, gids);
            if (syscall(state, Credentials.SYS_SETGROUPS, gids.length, list) != 0) {
                throw new ErrnoException("setgroups", errno(state));
            }
        }
    }

    /** The calling thread's supplementary groups. */
    public static int[] threadGroups() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long count = syscall(state, Credentials.SYS_GETGROUPS, 0, MemorySegment.NULL);
            if (count < 0) {
                throw new ErrnoException("getgroups", errno(state));
            }
            MemorySegment list = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, 1));
            count = syscall(state, Credentials.SYS_GETGROUPS, count, list);
            if (count < 0) {
                throw new ErrnoException("getgroups", errno(state));
            }
            return list.asSlice(0, count * Integer.BYTES).toArray(ValueLayout.JAVA_INT);
        }
    }

    /** A new inotify instance (close-on-exec, blocking reads); returns its fd. */
    public static int inotifyInit() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) Inotify.INIT1.invokeExact(state, O_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("inotify_init1", errno(state));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("inotify_init1 failed", t);
        }
    }

    /**
     * Watches {@code path} on inotify instance {@code fd}; returns the watch descriptor. The
     * kernel resolves the path and checks read permission with the calling thread's credentials.
     */
    public static int inotifyAddWatch(int fd, String path, int mask) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int wd = (int) Inotify.ADD_WATCH.invokeExact(state, fd, arena.allocateFrom(path), mask);
            if (wd < 0) {
                throw new ErrnoException("inotify_add_watch", errno(state));
            }
            return wd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("inotify_add_watch failed", t);
        }
    }

    /** Waits up to {@code timeoutMillis} for {@code fd} to be readable; true when it is. */
    public static boolean awaitReadable(int fd, int timeoutMillis) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfd = arena.allocate(8, 4); // int fd; short events; short revents
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            int n = (int) Inotify.POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            if (n < 0) {
                int errno = errno(state);
                if (errno == EINTR) {
                    return false;
                }
                throw new ErrnoException("poll", errno);
            }
            return n > 0;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("poll failed", t);
        }
    }

    /** Sets the realtime clock; returns 0 or the errno. */
    public static int setRealtimeClock(Instant instant) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment timespec = arena.allocate(16, 8);
            timespec.set(ValueLayout.JAVA_LONG, 0, instant.getEpochSecond());
            timespec.set(ValueLayout.JAVA_LONG, 8, instant.getNano());
            int result = (int) Clock.CLOCK_SETTIME.invokeExact(state, CLOCK_REALTIME, timespec);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("clock_settime failed", t);
        }
    }

    /** {@code _IOW('R', 0x03, int[2])}: add bytes to the input pool and credit their entropy. */
    private static final long RNDADDENTROPY = 0x40085203L;
    /** {@code _IO('R', 0x07)}: reseed the CRNG from the input pool now. */
    private static final long RNDRESEEDCRNG = 0x5207L;

    /**
     * Mixes {@code seed} into the kernel's pool ({@code RNDADDENTROPY}, fully credited: the host's
     * CSPRNG made it) and forces a CRNG reseed ({@code RNDRESEEDCRNG}). Needs CAP_SYS_ADMIN.
     * Returns 0 or the errno of the failing step.
     */
    public static int addEntropyAndReseed(byte[] seed) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) Random.OPEN.invokeExact(state, arena.allocateFrom("/dev/urandom"), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                return errno(state);
            }
            try {
                // struct rand_pool_info { int entropy_count; int buf_size; __u32 buf[]; }
                MemorySegment info = arena.allocate(8L + seed.length, 4);
                info.set(ValueLayout.JAVA_INT, 0, seed.length * 8);
                info.set(ValueLayout.JAVA_INT, 4, seed.length);
                MemorySegment.copy(seed, 0, info, ValueLayout.JAVA_BYTE, 8, seed.length);
                if ((int) Random.IOCTL_PTR.invokeExact(state, fd, RNDADDENTROPY, info) != 0) {
                    return errno(state);
                }
                if ((int) Random.IOCTL_PTR.invokeExact(state, fd, RNDRESEEDCRNG, MemorySegment.NULL) != 0) {
                    return errno(state);
                }
                return 0;
            } finally {
                int ignored = (int) Random.CLOSE.invokeExact(state, fd);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("reseeding the kernel's random pool failed", t);
        }
    }
}
