package io.wrenn.controlplane.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A sandbox row, with the name of its template joined in.
 *
 * @param statusReason why it is in its status, for people (e.g. {@code timeout}); null when none
 * @param hostCallLost its caller gave up on a pause or resume host call without knowing the
 *                     outcome: the reconciler settles it from what the host reports
 * @param pausedWithoutMemory paused keeping only its disk: the resume boots it (processes gone)
 * @param envdVersion  the envd version its guest reported when it last started; null when its host did not say
 */
public record Sandbox(
        UUID id,
        UUID teamId,
        UUID hostId,
        UUID templateId,
        String templateName,
        SandboxStatus status,
        String statusReason,
        boolean hostCallLost,
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
        OnTimeout onTimeout,
        long pauseGeneration,
        Instant pausedAt,
        boolean pausedWithoutMemory,
        String envdVersion) {
}
