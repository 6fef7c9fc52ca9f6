package io.wrenn.controlplane.host;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the boots and restores one host runs at once. Each start is CPU- and I/O-heavy (under
 * TCG a cold boot takes a core for tens of seconds); too many at once make all of them miss
 * their deadlines. Callers beyond the bound wait in arrival order (a fair semaphore), so a
 * burst from one team cannot starve a later caller, and give up after {@link Capacity#startQueueWait()}.
 *
 * <p>The bound is per control plane: several control planes on one database each admit their
 * own share. Admission (memory, disk, vCPUs) is checked in the database and holds across them.
 */
public final class StartGate {

    private final int permits;
    private final Duration maxWait;
    private final ConcurrentHashMap<UUID, Semaphore> perHost = new ConcurrentHashMap<>();

    public StartGate(Capacity capacity) {
        this.permits = capacity.startsPerHost();
        this.maxWait = capacity.startQueueWait();
    }

    /** A start in progress on a host; closing it lets the next in line go. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a turn on {@code hostId}; 503 {@code host_busy} after the configured wait. */
    public Slot enter(UUID hostId) {
        Semaphore semaphore = perHost.computeIfAbsent(hostId, id -> new Semaphore(permits, true));
        boolean entered;
        try {
            entered = semaphore.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.HOST_BUSY, "interrupted while waiting for the host");
        }
        if (!entered) {
            throw new ApiException(ErrorCode.HOST_BUSY, "the host is busy starting other sandboxes; try again shortly");
        }
        return semaphore::release;
    }

    /** Starts waiting for or running on {@code hostId} now (for operators and tests). */
    public int inUse(UUID hostId) {
        Semaphore semaphore = perHost.get(hostId);
        return semaphore == null ? 0 : permits - semaphore.availablePermits();
    }
}
