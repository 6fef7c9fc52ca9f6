package io.wrenn.envd.user;

import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.linux.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs file operations with exactly the filesystem rights of the user a request acts as, so the
 * kernel decides what the user may do (permission bits, ACLs, the sticky bit, symlinks, {@code ..})
 * and envd holds no permission logic of its own.
 *
 * <p>envd runs as root. An operation for another user runs on a platform thread of a pool kept
 * for this, which first takes the user's filesystem uid and gid ({@code setfsuid(2)},
 * {@code setfsgid(2)}) and supplementary groups (the raw {@code setgroups} system call). Linux
 * keeps credentials per thread, and leaving fsuid 0 drops that thread's filesystem capabilities
 * (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, ...), so every system call of the operation is checked
 * as the user's, and what it creates belongs to the user. Never a virtual thread: it may move to
 * another carrier between two calls. The thread returns to root (checked) before it hands the
 * result back and takes the next operation: handing the result back wakes a virtual thread, which
 * may make the scheduler start a carrier thread, and a new thread inherits the credentials of the
 * thread that starts it. For the same reason an operation must not start threads or wake virtual
 * threads itself (file calls and blocking socket I/O on a platform thread do neither).
 *
 * <p>A request as envd's own user runs on the calling thread, unchanged. When envd is not root it
 * cannot take another identity, and refuses such requests.
 */
public final class FileAccess {
    private static final System.Logger LOG = System.getLogger(FileAccess.class.getName());

    /** A file operation; its checked failure is an {@link IOException}. */
    @FunctionalInterface
    public interface Operation<T> {
        T run() throws IOException;
    }

    /**
     * Platform threads, reused: a new thread per operation cost 0.4-0.7 ms on the host, a pooled
     * one ~0.07 ms (switching there and back included). As many as operations run at once; idle
     * ones end after a minute. The pool starts its threads from the submitting thread, which is root.
     */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("envd-files-", 0).daemon(true).factory());

    private final UserDirectory directory;
    private final int ownUid;
    /** envd's own supplementary groups, read on first use (binding the call costs time at start). */
    private volatile int[] ownGroups;

    public FileAccess(UserDirectory directory, int ownUid) {
        this.directory = directory;
        this.ownUid = ownUid;
    }

    /** Runs {@code operation} with {@code user}'s filesystem identity; returns its result or rethrows its failure. */
    public <T> T as(User user, Operation<T> operation) throws IOException {
        if (user.uid() == ownUid) {
            return operation.run();
        }
        if (ownUid != 0) {
            throw new ConnectException(Code.PERMISSION_DENIED,
                    "envd runs as uid " + ownUid + " and cannot act as user " + user.name());
        }
        int[] groups = directory.groupIds(user);
        int[] rootGroups = ownGroups();
        var outcome = new CompletableFuture<T>();
        THREADS.execute(() -> runAs(user, groups, rootGroups, operation, outcome));
        try {
            return outcome.join();
        } catch (CompletionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** {@link #as} for callers that cannot throw {@link IOException}: it arrives wrapped in an {@link UncheckedIOException}. */
    public <T> T asUnchecked(User user, Operation<T> operation) {
        try {
            return as(user, operation);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int[] ownGroups() throws Libc.ErrnoException {
        int[] groups = ownGroups;
        if (groups == null) {
            groups = Libc.threadGroups(); // the calling thread is one of envd's own: root's groups
            ownGroups = groups;
        }
        return groups;
    }

    private static <T> void runAs(User user, int[] groups, int[] rootGroups, Operation<T> operation,
                                  CompletableFuture<T> outcome) {
        T value = null;
        Throwable failure = null;
        try {
            assume(user, groups);
            value = operation.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            restoreRoot(rootGroups);
        }
        if (failure == null) {
            outcome.complete(value);
        } else {
            outcome.completeExceptionally(failure);
        }
    }

    private static void assume(User user, int[] groups) throws Libc.ErrnoException {
        Libc.setThreadGroups(groups);
        Libc.setFsGid(user.gid());
        Libc.setFsUid(user.uid());
        if (Libc.setFsGid(-1) != user.gid() || Libc.setFsUid(-1) != user.uid()) {
            throw new IllegalStateException("could not take the filesystem identity of " + user.name());
        }
    }

    /**
     * Back to root's filesystem identity (uid 0 restores the capabilities). Should that ever fail,
     * this thread holds an identity nobody asked for, and any thread it might start would inherit
     * it: envd stops at once (init restarts it) rather than run on with it.
     */
    private static void restoreRoot(int[] rootGroups) {
        try {
            Libc.setFsUid(0);
            Libc.setFsGid(0);
            Libc.setThreadGroups(rootGroups);
            if (Libc.setFsUid(-1) == 0 && Libc.setFsGid(-1) == 0) {
                return;
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "cannot restore root's filesystem identity", t);
        }
        LOG.log(System.Logger.Level.ERROR, "a file thread kept a user's filesystem identity; stopping envd");
        Runtime.getRuntime().halt(70);
    }
}
