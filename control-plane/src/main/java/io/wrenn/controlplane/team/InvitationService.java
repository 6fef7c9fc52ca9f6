package io.wrenn.controlplane.team;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.account.UserStore;
import io.wrenn.controlplane.auth.ApiKeys;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.ids.WireId;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Invitations: how a person joins a team. Owners and admins invite an email address with a
 * role (the same rules as changing a member's role: only owners invite owners); whoever holds
 * the token and is signed in with that address accepts. Nothing here looks the address up:
 * an invitation answers the same whether or not it names an account, so inviting reveals
 * nobody's account, and nobody joins a team without taking the step themself.
 */
public final class InvitationService {

    /** Pending invitations one team may hold at once. */
    public static final int MAX_PENDING_PER_TEAM = 100;
    /** Invitations one person may make per hour, across their teams. */
    public static final int PER_INVITER_PER_HOUR = 200;

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Tells an invitation token apart from an API key at a glance (and in a secret scanner). */
    private static final String TOKEN_PREFIX = "wrninv_";

    private final InvitationStore invitations;
    private final UserStore users;

    public InvitationService(InvitationStore invitations, UserStore users) {
        this.invitations = invitations;
        this.users = users;
    }

    /** A new invitation and its token, which exists only in this answer. */
    public record Issued(InvitationStore.Invitation invitation, String token) {
    }

    public Issued invite(TeamStore.Membership team, UUID callerId, String email, Role role) {
        requireManager(team);
        requireMayGrant(team, role);
        if (invitations.createdByWithinHour(callerId) >= PER_INVITER_PER_HOUR) {
            throw new ApiException(ErrorCode.RATE_LIMITED,
                    "you made " + PER_INVITER_PER_HOUR + " invitations in the last hour: try again later");
        }
        String token = TOKEN_PREFIX + HexFormat.of().formatHex(randomBytes());
        InvitationStore.Invitation invitation = invitations.invite(team.teamId(), email, role, hash(token), callerId,
                replaced -> requireMayGrant(team, replaced), MAX_PENDING_PER_TEAM);
        return new Issued(invitation, token);
    }

    /** Rows for one page of the team's pending invitations ({@link Paging#page} cuts it). */
    public List<InvitationStore.Invitation> pending(TeamStore.Membership team, Paging.PageRequest page) {
        requireManager(team);
        return invitations.pending(team.teamId(), page);
    }

    /** Revokes a pending invitation of the team; an owner's invitation only by an owner. */
    public InvitationStore.Invitation revoke(TeamStore.Membership team, String invitationWireId) {
        requireManager(team);
        InvitationStore.Invitation invitation = WireId.INVITATION.decode(invitationWireId)
                .flatMap(id -> invitations.find(team.teamId(), id))
                .orElseThrow(InvitationStore::notFound);
        requireMayGrant(team, invitation.role());
        if (!invitations.revoke(team.teamId(), invitation.id())) {
            throw InvitationStore.notFound();
        }
        return invitation;
    }

    /** The pending invitation {@code token} stands for; 404 {@code invitation_not_found} otherwise. */
    public InvitationStore.Invitation preview(String token) {
        return invitations.byToken(hash(token)).orElseThrow(InvitationStore::notFound);
    }

    /** Spends the invitation: the person joins its team (see {@link InvitationStore#accept(org.jdbi.v3.core.Handle, byte[], UUID, String)}). */
    public InvitationStore.Invitation accept(UUID userId, String token) {
        UserStore.User user = users.find(userId).orElseThrow();
        return invitations.accept(hash(token), userId, user.email());
    }

    /** Only the hash of a token is stored: it has 192 random bits, so a fast hash is safe. */
    public static byte[] hash(String token) {
        return ApiKeys.hash(token);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void requireManager(TeamStore.Membership team) {
        if (!team.role().atLeast(Role.ADMIN)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this needs the admin role or stronger in the team");
        }
    }

    private static void requireMayGrant(TeamStore.Membership team, Role role) {
        if (role == Role.OWNER && team.role() != Role.OWNER) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only owners may invite owners or revoke their invitations");
        }
    }
}
