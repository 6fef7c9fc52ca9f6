package io.wrenn.controlplane.host;

import java.util.UUID;

/** A host agent the control plane schedules onto, reached at {@code address} (host:port). */
public record Host(UUID id, String address, String status) {

    public boolean online() {
        return "online".equals(status);
    }
}
