package io.wrenn.controlplane.account;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.util.UUID;

/**
 * argon2id password hashes (OWASP's parameters: 19 MiB, 2 passes, 1 lane), stored as PHC
 * strings so the parameters travel with each hash and can be raised later.
 */
public final class Passwords {

    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID, 19);
    /** Checked when the account does not exist, so that costs the same time as a wrong password. */
    private final String decoy;
    /**
     * Each hash or check takes 19 MiB and tens of milliseconds of a core: without a bound, a
     * burst of logins or sign-ups takes every core and a lot of heap. Waiters go in arrival order.
     */
    private final java.util.concurrent.Semaphore inFlight;
    private static final java.time.Duration MAX_WAIT = java.time.Duration.ofSeconds(10);

    public Passwords() {
        this(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public Passwords(int concurrent) {
        this.inFlight = new java.util.concurrent.Semaphore(concurrent, true);
        this.decoy = hash(UUID.randomUUID().toString());
    }

    /** Hashes or checks now in progress (for tests and operators). */
    public int inFlight(int permits) {
        return permits - inFlight.availablePermits();
    }

    private <T> T bounded(java.util.function.Supplier<T> work) {
        boolean entered;
        try {
            entered = inFlight.tryAcquire(MAX_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entered = false;
        }
        if (!entered) {
            throw new io.wrenn.controlplane.http.ApiException(io.wrenn.api.ErrorCode.RATE_LIMITED,
                    "too many logins at once: try again shortly");
        }
        try {
            return work.get();
        } finally {
            inFlight.release();
        }
    }

    public String hash(String password) {
        return bounded(() -> Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult());
    }

    /** Whether {@code password} matches {@code hash}; a null hash (no such account, OAuth-only) never matches. */
    public boolean verify(String password, String hash) {
        if (hash == null) {
            bounded(() -> Password.check(password, decoy).with(ARGON2ID));
            return false;
        }
        return bounded(() -> Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash)));
    }
}
