package io.wrenn.controlplane.admin;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.ApiKeyStore;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStatus;
import io.wrenn.controlplane.template.Template;
import java.util.EnumSet;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contains a team that misbehaves: suspended, its keys and its members' tokens are refused for
 * it (403 {@code team_suspended}), its builds are cancelled and its sandboxes paused (kept, so
 * nothing is lost if the suspension was a mistake) or stopped. Unsuspending gives access back;
 * the team resumes its paused sandboxes itself.
 */
public final class TeamContainment {

    private static final Logger log = LoggerFactory.getLogger(TeamContainment.class);

    private final Jdbi jdbi;
    private final SandboxService sandboxes;
    private final ApiKeyStore keys;
    private final Consumer<UUID> cancelBuilds;

    public TeamContainment(Jdbi jdbi, SandboxService sandboxes, ApiKeyStore keys, Consumer<UUID> cancelBuilds) {
        this.jdbi = jdbi;
        this.sandboxes = sandboxes;
        this.keys = keys;
        this.cancelBuilds = cancelBuilds;
    }

    /** What a suspension did to the team's sandboxes. */
    public record Outcome(int paused, int stopped) {
    }

    /**
     * Suspends the team first (so nothing new starts meanwhile), then pauses its running
     * sandboxes, or stops them when {@code stop} (a pause that fails stops the sandbox instead).
     */
    public Outcome suspend(UUID teamId, String reason, boolean stop) {
        if (Template.PLATFORM_TEAM.equals(teamId)) {
            throw new ApiException(ErrorCode.CONFLICT, "the platform team cannot be suspended");
        }
        int updated = jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE teams SET suspended_at = coalesce(suspended_at, now()), suspended_reason = :reason
                        WHERE id = :team AND deleted_at IS NULL""")
                .bind("team", teamId).bind("reason", reason).execute());
        if (updated == 0) {
            throw new ApiException(ErrorCode.TEAM_NOT_FOUND, "no such team");
        }
        keys.forgetTeam(teamId);
        cancelBuilds.accept(teamId);
        int paused = 0;
        int stopped = 0;
        for (Sandbox sandbox : sandboxes.list(teamId, EnumSet.complementOf(EnumSet.of(SandboxStatus.STOPPED, SandboxStatus.ERROR)))) {
            String wireId = WireId.SANDBOX.encode(sandbox.id());
            if (sandbox.status() == SandboxStatus.PAUSED && !stop) {
                continue; // already holds no CPU; kept as it is
            }
            if (sandbox.status() == SandboxStatus.RUNNING && !stop) {
                try {
                    sandboxes.pause(teamId, wireId);
                    paused++;
                    continue;
                } catch (RuntimeException e) {
                    log.warn("pausing sandbox {} of suspended team {} failed ({}); stopping it", sandbox.id(), teamId, e.getMessage());
                }
            }
            try {
                sandboxes.delete(teamId, wireId);
                stopped++;
            } catch (RuntimeException e) {
                // Its row stays 'stopping': the reconciler finishes the stop when the host answers.
                log.warn("stopping sandbox {} of suspended team {} failed: {}", sandbox.id(), teamId, e.getMessage());
            }
        }
        return new Outcome(paused, stopped);
    }

    public void unsuspend(UUID teamId) {
        int updated = jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE teams SET suspended_at = NULL, suspended_reason = NULL WHERE id = :team AND deleted_at IS NULL""")
                .bind("team", teamId).execute());
        if (updated == 0) {
            throw new ApiException(ErrorCode.TEAM_NOT_FOUND, "no such team");
        }
    }
}
