package io.wrenn.controlplane.sandbox;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a sandbox is in its life. The row is written before each host call and settled after:
 * {@code starting → running → pausing → paused → resuming → running},
 * {@code running|paused → stopping → stopped}, {@code * → error}, and {@code unknown} while its
 * host does not answer (never a reason to destroy or forget it).
 */
public enum SandboxStatus {
    STARTING, RUNNING, PAUSING, PAUSED, RESUMING, STOPPING, STOPPED, ERROR, UNKNOWN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SandboxStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public static Optional<SandboxStatus> parse(String value) {
        for (SandboxStatus status : values()) {
            if (status.wire().equals(value)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /** Finished: nothing runs on any host for it, and nothing will. */
    public boolean terminal() {
        return this == STOPPED || this == ERROR;
    }
}
