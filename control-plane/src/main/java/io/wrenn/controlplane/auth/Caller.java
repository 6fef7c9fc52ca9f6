package io.wrenn.controlplane.auth;

import java.util.UUID;

/** Who made a request: the API key used and the team it acts for. */
public record Caller(UUID teamId, UUID apiKeyId) {
}
