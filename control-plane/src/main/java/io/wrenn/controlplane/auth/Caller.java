package io.wrenn.controlplane.auth;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import java.util.UUID;

/**
 * Who made a request, as checked against the database for this request.
 *
 * @param userId   the person (token), or null for an API key
 * @param apiKeyId the API key, or null for a person
 * @param teamId   the team the caller acts for; null when a person's token names a team they
 *                 no longer belong to (they may still read their profile and switch team)
 * @param role     the person's role in {@code teamId}; {@link Role#MEMBER} for an API key
 * @param admin    a platform admin (users.is_admin)
 * @param teamSuspended {@code teamId} is suspended by a platform admin: nothing of it may be used
 */
public record Caller(UUID userId, UUID apiKeyId, UUID teamId, Role role, boolean admin, boolean teamSuspended) {

    public Caller(UUID userId, UUID apiKeyId, UUID teamId, Role role, boolean admin) {
        this(userId, apiKeyId, teamId, role, admin, false);
    }

    public static Caller ofKey(UUID apiKeyId, UUID teamId) {
        return new Caller(null, apiKeyId, teamId, Role.MEMBER, false);
    }

    public boolean isUser() {
        return userId != null;
    }

    /** The acting team; 403 when the person left it (or it was deleted) since the token was issued. */
    public UUID requireTeam() {
        if (teamId == null) {
            throw new ApiException(ErrorCode.NOT_TEAM_MEMBER,
                    "you are no longer a member of this token's team: switch team or log in again");
        }
        if (teamSuspended) {
            throw new ApiException(ErrorCode.TEAM_SUSPENDED, "this team is suspended by the platform's admins");
        }
        return teamId;
    }

    /** 403 unless the caller's role in its team is {@code minimum} or stronger. */
    public void requireRole(Role minimum) {
        requireTeam();
        if (!role.atLeast(minimum)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this needs the " + minimum.wire() + " role or stronger");
        }
    }

    /** The person behind a user-only route. */
    public UUID requireUser() {
        if (userId == null) {
            throw new IllegalStateException("route is not behind user authentication");
        }
        return userId;
    }
}
