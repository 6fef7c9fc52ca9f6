package io.wrenn.controlplane.build;

import java.util.Locale;

/** {@code pending → queued → running → succeeded | failed | cancelled}; the last three are final. */
public enum BuildStatus {
    PENDING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    static BuildStatus of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
