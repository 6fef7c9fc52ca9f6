package io.wrenn.hostagent.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the control plane's calls to a host and the host's own long steps may take, and the
 * graces derived from them. Their order is what makes a lost call safe: a host gives up on a
 * state transfer before the call that asked for it times out, and a row stays its caller's
 * until after that call's deadline. Deriving every grace here keeps that order by
 * construction instead of in comments beside scattered constants.
 *
 * @param create        a create call (boot or restore, the guest agent's initialisation); a
 *                      {@code starting} row older than this is settled by the reconciler
 * @param stateTransfer a save or a load of a VM's state on the host (QEMU migration to or from a file)
 * @param destroy       a destroy call
 * @param snapshot      a snapshot call: up to two transfers (a sandbox without a RAM file of its
 *                      own is paused and resumed first) plus the copies of its RAM and disk
 */
public record Deadlines(Duration create, Duration stateTransfer, Duration destroy, Duration snapshot) {

    /** Beyond a transfer, what a pause or resume does around it: network, VM start, the guest's {@code /init}. */
    private static final Duration AROUND_TRANSFER = Duration.ofMinutes(1);
    /** How much longer a caller's row stays its own than the caller's call may take. */
    private static final Duration CALLER_MARGIN = Duration.ofMinutes(1);
    /** How much longer a delete owns its {@code stopping} row than its destroy call may take. */
    private static final Duration STOPPING_MARGIN = Duration.ofSeconds(30);

    public static final Deadlines DEFAULTS = new Deadlines(Duration.ofMinutes(3), Duration.ofMinutes(2),
            Duration.ofSeconds(60), Duration.ofMinutes(5));

    public Deadlines {
        for (Duration d : new Duration[] {create, stateTransfer, destroy, snapshot}) {
            if (Objects.requireNonNull(d, "a deadline is null").isNegative() || d.isZero()) {
                throw new IllegalArgumentException("deadlines must be positive");
            }
        }
        if (snapshot.compareTo(stateTransfer.multipliedBy(2)) <= 0) {
            throw new IllegalArgumentException("a snapshot's deadline must exceed two state transfers");
        }
    }

    /** A pause or resume call: one state transfer and the work around it. */
    public Duration pauseCall() {
        return stateTransfer.plus(AROUND_TRANSFER);
    }

    /** How long an unmarked {@code pausing}/{@code resuming} row belongs to its caller. */
    public Duration pauseGrace() {
        return pauseCall().plus(CALLER_MARGIN);
    }

    /** How long a delete in flight owns its {@code stopping} row. */
    public Duration stoppingGrace() {
        return destroy.plus(STOPPING_MARGIN);
    }

    /** How long an unmarked {@code creating} snapshot row, or a snapshot no row names, belongs to its caller. */
    public Duration snapshotGrace() {
        return snapshot.plus(CALLER_MARGIN);
    }
}
