package io.wrenn.controlplane.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A sandbox row, with the name of its template joined in. */
public record Sandbox(
        UUID id,
        UUID teamId,
        UUID hostId,
        UUID templateId,
        String templateName,
        SandboxStatus status,
        String statusReason,
        int vcpus,
        int memoryMb,
        int diskSizeMb,
        int timeoutS,
        List<String> envKeys,
        Map<String, String> metadata,
        Long bootMs,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant expiresAt,
        Instant stoppedAt,
        String onTimeout,
        long pauseGeneration,
        Instant pausedAt) {
}
