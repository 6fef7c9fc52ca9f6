package io.wrenn.controlplane.template;

import java.time.Instant;
import java.util.UUID;

/**
 * A snapshot row still {@code creating}: what the reconciler needs to adopt or drop it.
 *
 * @param hostId       the host the snapshot is made on
 * @param createdAt    when the row was written, just before its host call
 * @param hostCallLost its caller gave up on the host call without knowing the outcome
 * @param makerGone    the control plane whose call made the row has stopped beating: no caller waits
 */
public record PendingSnapshot(UUID id, UUID teamId, String name, UUID hostId, Instant createdAt, boolean hostCallLost,
                              boolean makerGone) {
}
