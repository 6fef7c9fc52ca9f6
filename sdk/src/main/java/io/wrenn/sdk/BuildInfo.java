package io.wrenn.sdk;

import java.time.Instant;

/**
 * A template build as the server knows it at the moment it was asked.
 *
 * @param id          {@code bld-…}
 * @param name        the template it makes
 * @param status      {@code pending}, {@code queued}, {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}
 * @param reason      why it failed (naming the step) or was tried again, or null
 * @param currentStep the step it is at (the snapshot is the last)
 * @param totalSteps  how many steps it has
 * @param failedStep  the step that failed, or null
 * @param cachedSteps steps taken from the layer cache
 * @param templateId  the template it made, or null
 * @param createdAt   when it was asked for
 * @param finishedAt  when it ended, or null
 */
public record BuildInfo(String id, String name, String status, String reason, int currentStep, int totalSteps,
                        Integer failedStep, int cachedSteps, String templateId, Instant createdAt,
                        Instant finishedAt) {

    /** True once it succeeded, failed or was cancelled. */
    public boolean done() {
        return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
    }

    /** True when it made its template. */
    public boolean succeeded() {
        return status.equals("succeeded");
    }
}
