package io.wrenn.controlplane.audit;

import java.time.Instant;
import java.util.UUID;

/** One recorded call. Actor ids are null when unknown (the call failed before authentication). */
public record AuditEntry(long id, UUID teamId, UUID actorUserId, String actorEmail, UUID actorApiKeyId, String action,
                         String resourceType, String resourceId, String outcome, int status, String clientAddress,
                         Instant createdAt) {
}
