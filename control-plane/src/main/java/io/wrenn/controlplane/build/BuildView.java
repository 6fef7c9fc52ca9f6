package io.wrenn.controlplane.build;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.template.Template;
import java.time.Duration;
import java.time.Instant;

/** A build as the API shows it: its state and reason, step N of M, elapsed time. */
public record BuildView(
        String id,
        String name,
        boolean platform,
        String status,
        String reason,
        int currentStep,
        int totalSteps,
        Integer failedStep,
        int cachedSteps,
        int attempts,
        String from,
        String recipe,
        String archive,
        int vcpus,
        int memoryMb,
        int diskSizeMb,
        boolean skipPrePost,
        boolean noCache,
        String builderId,
        String templateId,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Long elapsedMs) {

    static BuildView of(Build b, Instant now) {
        Long elapsed = b.startedAt() == null ? null
                : Duration.between(b.startedAt(), b.finishedAt() != null ? b.finishedAt() : now).toMillis();
        return new BuildView(WireId.BUILD.encode(b.id()), b.name(), Template.PLATFORM_TEAM.equals(b.teamId()),
                b.status().wire(), b.reason(), b.currentStep(), b.totalSteps(), b.failedStep(), b.cachedSteps(),
                b.attempts(), b.recipe() == null ? null : b.recipe().from(), b.recipeText(), b.archiveSha256(),
                b.vcpus(), b.memoryMb(), b.diskSizeMb(), b.skipPrePost(), b.noCache(),
                b.builderId() == null ? null : WireId.SANDBOX.encode(b.builderId()),
                b.templateId() == null ? null : WireId.TEMPLATE.encode(b.templateId()),
                b.createdAt(), b.startedAt(), b.finishedAt(), elapsed);
    }
}
