package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.ids.WireId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as the API shows it (snake_case on the wire). Environment values are never
 * shown, only their names: they often hold credentials and are not stored.
 */
public record SandboxView(
        String id,
        String status,
        String statusReason,
        String template,
        String templateId,
        String hostId,
        int vcpus,
        int memoryMb,
        int diskSizeMb,
        int timeoutS,
        List<String> envKeys,
        Map<String, String> metadata,
        Long bootMs,
        Instant createdAt,
        Instant startedAt,
        Instant expiresAt,
        Instant stoppedAt,
        String onTimeout,
        Instant pausedAt,
        boolean pausedWithoutMemory) {

    public static SandboxView of(Sandbox s) {
        return new SandboxView(
                WireId.SANDBOX.encode(s.id()),
                s.status().wire(),
                s.statusReason(),
                s.templateName(),
                WireId.TEMPLATE.encode(s.templateId()),
                s.hostId() == null ? null : WireId.HOST.encode(s.hostId()),
                s.vcpus(),
                s.memoryMb(),
                s.diskSizeMb(),
                s.timeoutS(),
                s.envKeys(),
                s.metadata(),
                s.bootMs(),
                s.createdAt(),
                s.startedAt(),
                s.expiresAt(),
                s.stoppedAt(),
                s.onTimeout().wire(),
                s.pausedAt(),
                s.pausedWithoutMemory());
    }
}
