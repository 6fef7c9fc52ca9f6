package io.wrenn.controlplane.auth;

import java.util.Collection;
import java.util.UUID;

/**
 * Told when a credential stops standing for its holder: API keys revoked, a person leaving a team
 * or disabled. What was handed out on the strength of that credential (a sandbox's access token,
 * streams opened with it) must end with it; the one listener decides what that means.
 */
public interface CredentialEnds {

    CredentialEnds NONE = new CredentialEnds() {
    };

    default void keysRevoked(Collection<UUID> apiKeyIds) {
    }

    /** {@code userId} is no longer a member of {@code teamId} (removed, or left). */
    default void memberLeft(UUID teamId, UUID userId) {
    }

    /** {@code userId}'s account was disabled: none of their teams stands for them any more. */
    default void userDisabled(UUID userId) {
    }
}
