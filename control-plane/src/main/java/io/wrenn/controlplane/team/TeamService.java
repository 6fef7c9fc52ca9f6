package io.wrenn.controlplane.team;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.ids.WireId;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The rules of teams. Owners may do everything; admins manage keys and members but cannot
 * touch owners or make anyone owner (people join by invitation: {@link InvitationService}); members use the team's sandboxes and see its members.
 * A team always keeps at least one owner. Every check starts from the caller's membership:
 * a team the caller is not in is reported as not found.
 */
public final class TeamService {

    private final TeamStore teams;
    /** What a team's deletion must also stop (its sandboxes, its templates). */
    private final List<Consumer<UUID>> onDelete;

    private volatile io.wrenn.controlplane.auth.CredentialEnds ends = io.wrenn.controlplane.auth.CredentialEnds.NONE;

    /** Where a member's leaving is reported (what they were handed must not outlive their membership). */
    public void reportEndsTo(io.wrenn.controlplane.auth.CredentialEnds value) {
        this.ends = value;
    }

    public TeamService(TeamStore teams, List<Consumer<UUID>> onDelete) {
        this.teams = teams;
        this.onDelete = List.copyOf(onDelete);
    }

    /** The caller's membership of the team named by {@code wireId}; 404 when there is none. */
    public TeamStore.Membership membership(UUID userId, String wireId) {
        return WireId.TEAM.decode(wireId)
                .flatMap(id -> teams.membership(id, userId))
                .orElseThrow(() -> new ApiException(ErrorCode.TEAM_NOT_FOUND, "no such team among yours"));
    }

    public TeamStore.Membership create(UUID userId, String name) {
        UUID id = teams.create(name, userId);
        return teams.membership(id, userId).orElseThrow();
    }

    public List<TeamStore.Membership> teamsOf(UUID userId) {
        return teams.teamsOf(userId);
    }

    /** Rows for one page of the person's teams ({@link io.wrenn.controlplane.http.Paging#page} cuts it). */
    public List<TeamStore.Membership> teamsOf(UUID userId, io.wrenn.controlplane.http.Paging.PageRequest page) {
        return teams.teamsOf(userId, page);
    }

    public void rename(TeamStore.Membership team, String name) {
        require(team, Role.ADMIN);
        teams.rename(team.teamId(), name);
    }

    /** Soft-deletes the team (owners only): its keys and tokens stop at once, then its sandboxes are stopped. */
    public void delete(TeamStore.Membership team) {
        require(team, Role.OWNER);
        if (teams.softDelete(team.teamId())) {
            onDelete.forEach(hook -> hook.accept(team.teamId()));
        }
    }

    public void leave(TeamStore.Membership team, UUID userId) {
        teams.changeOrRemove(team.teamId(), userId, null);
        ends.memberLeft(team.teamId(), userId);
    }

    /** Rows for one page of the team's members ({@link io.wrenn.controlplane.http.Paging#page} cuts it). */
    public List<TeamStore.Member> members(TeamStore.Membership team, io.wrenn.controlplane.http.Paging.PageRequest page) {
        return teams.members(team.teamId(), page);
    }

    public TeamStore.Member changeRole(TeamStore.Membership team, String userWireId, Role role) {
        TeamStore.Member target = member(team, userWireId);
        require(team, Role.ADMIN);
        requireMayGrant(team, role);
        requireMayManage(team, target);
        teams.changeOrRemove(team.teamId(), target.userId(), role);
        return teams.member(team.teamId(), target.userId()).orElseThrow();
    }

    public void removeMember(TeamStore.Membership team, UUID callerId, String userWireId) {
        TeamStore.Member target = member(team, userWireId);
        if (!target.userId().equals(callerId)) {
            require(team, Role.ADMIN);
            requireMayManage(team, target);
        }
        teams.changeOrRemove(team.teamId(), target.userId(), null);
        ends.memberLeft(team.teamId(), target.userId());
    }

    /** The member named by {@code userWireId} in {@code team}; 404 otherwise. */
    public TeamStore.Member member(TeamStore.Membership team, String userWireId) {
        return WireId.USER.decode(userWireId)
                .flatMap(id -> teams.member(team.teamId(), id))
                .orElseThrow(() -> new ApiException(ErrorCode.MEMBER_NOT_FOUND, "no such member in this team"));
    }

    private static void require(TeamStore.Membership team, Role minimum) {
        if (!team.role().atLeast(minimum)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this needs the " + minimum.wire() + " role or stronger in the team");
        }
    }

    private static void requireMayGrant(TeamStore.Membership team, Role role) {
        if (role == Role.OWNER && team.role() != Role.OWNER) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only owners may make someone owner");
        }
    }

    private static void requireMayManage(TeamStore.Membership team, TeamStore.Member target) {
        if (target.role() == Role.OWNER && team.role() != Role.OWNER) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only owners may change or remove an owner");
        }
    }
}
