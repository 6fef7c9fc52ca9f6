package io.wrenn.controlplane.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * One recorded call. Actor ids are null when unknown (the call failed before authentication).
 * {@code outcome} is {@code success}, {@code failure}, {@code pending} (the call is running) or
 * {@code lost} (its control plane stopped during it); {@code status} is null for the last two.
 */
public record AuditEntry(long id, UUID teamId, UUID actorUserId, String actorEmail, UUID actorApiKeyId, String action,
                         String resourceType, String resourceId, String outcome, Integer status, String clientAddress,
                         Instant createdAt) {
}
