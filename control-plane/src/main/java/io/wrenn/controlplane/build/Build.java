package io.wrenn.controlplane.build;

import java.time.Instant;
import java.util.UUID;

/**
 * A template build as stored.
 *
 * @param teamId        owner of the template it makes (the platform team for platform templates)
 * @param requesterTeam the team that asked for it: its members and keys read and cancel it
 * @param recipe        null while {@code pending} (E2B's build whose steps have not come yet)
 * @param archiveSha256 the uploaded archive COPY steps read from, if any
 * @param builderId     the builder sandbox of the current attempt, once created
 */
public record Build(UUID id, UUID teamId, UUID requesterTeam, String name, String recipeText, Recipe recipe,
                    String archiveSha256, int vcpus, int memoryMb, int diskSizeMb, boolean skipPrePost, boolean noCache,
                    BuildStatus status, String reason, int currentStep, int totalSteps, Integer failedStep,
                    int cachedSteps, int attempts, boolean cancelRequested, UUID hostId, UUID builderId,
                    UUID templateId, Instant createdAt, Instant startedAt, Instant finishedAt) {
}
