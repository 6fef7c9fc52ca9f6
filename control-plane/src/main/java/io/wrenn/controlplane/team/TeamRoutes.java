package io.wrenn.controlplane.team;

import io.javalin.http.Context;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Names;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/teams}: a person's teams and their members, by the team's id in the path. Nobody is
 * added to a team directly: people join by accepting an invitation ({@link InvitationRoutes}).
 */
public final class TeamRoutes {

    // Teams oldest first, members first to join first; each keyed by (time, id).
    private static final Paging TEAMS = Paging.of("team", 2, 100, 1000);
    private static final Paging MEMBERS = Paging.of("member", 2, 100, 1000);

    private final TeamService teams;

    public TeamRoutes(TeamService teams) {
        this.teams = teams;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/teams", Access.USER, this::list);
        routes.post("/v1/teams", Access.USER, this::create);
        routes.get("/v1/teams/{id}", Access.USER, this::get);
        routes.patch("/v1/teams/{id}", Access.USER, this::rename);
        routes.delete("/v1/teams/{id}", Access.USER, this::delete);
        routes.post("/v1/teams/{id}/leave", Access.USER, this::leave);
        routes.get("/v1/teams/{id}/members", Access.USER, this::members);
        routes.patch("/v1/teams/{id}/members/{user_id}", Access.USER, this::changeRole);
        routes.delete("/v1/teams/{id}/members/{user_id}", Access.USER, this::removeMember);
    }

    private void list(Context ctx) {
        UUID user = Authenticator.caller(ctx).requireUser();
        Paging.PageRequest request = TEAMS.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        Paging.Page<TeamStore.Membership> page = TEAMS.page(request, teams.teamsOf(user, request),
                team -> List.of(Paging.micros(team.teamCreatedAt()), team.teamId().toString()));
        send(ctx, "teams", page.items().stream().map(TeamRoutes::view).toList(), page.nextCursor());
    }

    private void create(Context ctx) {
        UUID user = Authenticator.caller(ctx).requireUser();
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("name"));
        TeamStore.Membership team = teams.create(user, Names.require("name", body.requiredString("name")));
        audit(ctx, team);
        ctx.status(201).json(view(team));
    }

    private void get(Context ctx) {
        ctx.json(view(team(ctx)));
    }

    private void rename(Context ctx) {
        TeamStore.Membership team = team(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("name"));
        teams.rename(team, Names.require("name", body.requiredString("name")));
        ctx.json(view(teams.membership(Authenticator.caller(ctx).requireUser(), ctx.pathParam("id"))));
    }

    private void delete(Context ctx) {
        teams.delete(team(ctx));
        ctx.status(204);
    }

    private void leave(Context ctx) {
        teams.leave(team(ctx), Authenticator.caller(ctx).requireUser());
        ctx.status(204);
    }

    private void members(Context ctx) {
        TeamStore.Membership team = team(ctx);
        Paging.PageRequest request = MEMBERS.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        Paging.Page<TeamStore.Member> page = MEMBERS.page(request, teams.members(team, request),
                member -> List.of(Paging.micros(member.joinedAt()), member.userId().toString()));
        send(ctx, "members", page.items().stream().map(TeamRoutes::view).toList(), page.nextCursor());
    }

    /** A page as every list sends it: the rows under the list's own name, then the next cursor. */
    private static void send(Context ctx, String field, List<Map<String, Object>> items, String nextCursor) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(field, items);
        body.put("next_cursor", nextCursor);
        ctx.json(body);
    }

    private void changeRole(Context ctx) {
        TeamStore.Membership team = team(ctx);
        auditMember(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("role"));
        Role role = role(body.requiredString("role"));
        ctx.json(view(teams.changeRole(team, ctx.pathParam("user_id"), role)));
    }

    private void removeMember(Context ctx) {
        TeamStore.Membership team = team(ctx);
        auditMember(ctx);
        teams.removeMember(team, Authenticator.caller(ctx).requireUser(), ctx.pathParam("user_id"));
        ctx.status(204);
    }

    /** The path's team, if the caller is in it; also names it as the audit entry's team. */
    private TeamStore.Membership team(Context ctx) {
        TeamStore.Membership team = teams.membership(Authenticator.caller(ctx).requireUser(), ctx.pathParam("id"));
        audit(ctx, team);
        return team;
    }

    private static void audit(Context ctx, TeamStore.Membership team) {
        AuditTrail.team(ctx, team.teamId());
        AuditTrail.resource(ctx, WireId.TEAM, team.teamId());
    }

    private static void auditMember(Context ctx) {
        WireId.USER.decode(ctx.pathParam("user_id")).ifPresent(id -> AuditTrail.resource(ctx, WireId.USER, id));
    }

    private static Role role(String wire) {
        return Role.parse(wire).orElseThrow(() -> ApiException.invalid("'role' must be one of owner, admin, member"));
    }

    static Map<String, Object> view(TeamStore.Membership team) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", WireId.TEAM.encode(team.teamId()));
        view.put("name", team.teamName());
        view.put("role", team.role().wire());
        view.put("created_at", team.teamCreatedAt());
        return view;
    }

    static Map<String, Object> view(TeamStore.Member member) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("user_id", WireId.USER.encode(member.userId()));
        view.put("email", member.email());
        view.put("name", member.name());
        view.put("role", member.role().wire());
        view.put("joined_at", member.joinedAt());
        return view;
    }
}
