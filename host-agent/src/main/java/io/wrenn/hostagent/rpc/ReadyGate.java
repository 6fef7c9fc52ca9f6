package io.wrenn.hostagent.rpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Back-pressure for a server stream: {@link #awaitReady()} blocks the producing (virtual) thread
 * until gRPC's outbound buffer has room, so a fast guest cannot make us buffer without bound.
 *
 * <p>Create it inside the service method (gRPC accepts the handlers only there) and produce on
 * another thread: gRPC delivers the on-ready callback on the call's own executor, which a
 * producer blocking inside the service method would starve.
 */
final class ReadyGate {

    private final ServerCallStreamObserver<?> call;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final CopyOnWriteArrayList<Runnable> cancelActions = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;
    private volatile boolean released;

    ReadyGate(ServerCallStreamObserver<?> call) {
        this.call = call;
        call.setOnReadyHandler(this::signal);
        call.setOnCancelHandler(() -> {
            cancelled = true;
            signal();
            cancelActions.forEach(Runnable::run);
        });
    }

    /** Runs {@code action} when the client cancels (or at once if it already has). */
    void onCancel(Runnable action) {
        cancelActions.add(action);
        if (cancelled) {
            action.run();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    /**
     * The client half-closed: it is gone after what it sent. For the producer this is a cancel
     * (the same actions run, {@link #awaitReady()} answers false), except that the call is still
     * open and the producer ends it ({@link #released()}).
     */
    void release() {
        released = true;
        cancelled = true;
        signal();
        cancelActions.forEach(Runnable::run);
    }

    /** Whether {@link #release()} ended the client's part: the producer completes the call. */
    boolean released() {
        return released;
    }

    /** Waits until the call can take another message; false when the client went away. */
    boolean awaitReady() {
        lock.lock();
        try {
            while (!cancelled && !call.isReady()) {
                changed.await();
            }
            return !cancelled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
