package io.wrenn.sdk;

import java.util.Locale;

/** Where a sandbox is in its life; {@code UNKNOWN} while its host does not answer. */
public enum SandboxStatus {
    STARTING, RUNNING, PAUSING, PAUSED, RESUMING, STOPPING, STOPPED, ERROR, UNKNOWN;

    /** The wire form, e.g. {@code running}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param wire the wire form
     * @return its status; {@code UNKNOWN} for one this SDK does not know yet
     */
    public static SandboxStatus fromWire(String wire) {
        for (SandboxStatus status : values()) {
            if (status.wire().equals(wire)) {
                return status;
            }
        }
        return UNKNOWN;
    }
}
