package io.wrenn.controlplane.sandbox;

import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Which credential each sandbox's current access token was handed to ({@code access_token_grants}):
 * an API key, or a person (through their session). {@link SandboxStore#replaceAccessToken} clears
 * a sandbox's grants with its token.
 */
final class AccessTokenGrants {

    /** Sandboxes whose token is still worth taking away: neither stopped nor failed. */
    private static final String LIVE = "s.status NOT IN ('stopped', 'error')";

    private final Jdbi jdbi;

    AccessTokenGrants(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Records that {@code apiKeyId} or (else) {@code userId} was handed the sandbox's token. */
    void grant(UUID sandboxId, UUID apiKeyId, UUID userId) {
        if (apiKeyId == null && userId == null) {
            return;
        }
        String column = apiKeyId != null ? "api_key_id" : "user_id";
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO access_token_grants (sandbox_id, " + column + ") VALUES (:sandbox, :holder)"
                        + " ON CONFLICT (" + column + ", sandbox_id) WHERE " + column + " IS NOT NULL DO NOTHING")
                .bind("sandbox", sandboxId)
                .bind("holder", apiKeyId != null ? apiKeyId : userId)
                .execute());
    }

    /** Live sandboxes whose current token {@code apiKeyId} was handed. */
    List<UUID> ofKey(UUID apiKeyId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT g.sandbox_id FROM access_token_grants g"
                        + " JOIN sandboxes s ON s.id = g.sandbox_id WHERE g.api_key_id = :key AND " + LIVE)
                .bind("key", apiKeyId)
                .mapTo(UUID.class)
                .list());
    }

    /** Live sandboxes whose current token {@code userId} was handed: of {@code teamId}, or of any team when null. */
    List<UUID> ofUser(UUID userId, UUID teamId) {
        return jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT g.sandbox_id FROM access_token_grants g"
                            + " JOIN sandboxes s ON s.id = g.sandbox_id WHERE g.user_id = :user AND " + LIVE
                            + (teamId == null ? "" : " AND s.team_id = :team"))
                    .bind("user", userId);
            if (teamId != null) {
                query.bind("team", teamId);
            }
            return query.mapTo(UUID.class).list();
        });
    }
}
