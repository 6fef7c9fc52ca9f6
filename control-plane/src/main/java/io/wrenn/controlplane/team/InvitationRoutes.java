package io.wrenn.controlplane.team;

import io.javalin.http.Context;
import io.wrenn.controlplane.account.Emails;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Role;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A team's invitations ({@code /v1/teams/{id}/invitations}, its owners and admins) and their
 * use ({@code /v1/invitations/*}). The token is in the create answer and nowhere else, ever; it
 * travels in request bodies (never a URL, so no access log or Referer carries it), and the
 * dashboard's accept link keeps it in the fragment, which browsers never send.
 *
 * <p>Accepting takes a person's session, not an API key: a key acts for the team that made it,
 * while an invitation makes a person a member.
 */
public final class InvitationRoutes {

    /** The dashboard's page that previews and accepts an invitation; the token follows in the fragment. */
    public static final String ACCEPT_PAGE = "/dashboard/invitations/accept#token=";

    // Newest first, by (created_at, id).
    private static final Paging PAGING = Paging.of("invitation", 2, 100, 1000);

    private final InvitationService invitations;
    private final TeamService teams;

    public InvitationRoutes(InvitationService invitations, TeamService teams) {
        this.invitations = invitations;
        this.teams = teams;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/teams/{id}/invitations", Access.USER, this::invite);
        routes.get("/v1/teams/{id}/invitations", Access.USER, this::list);
        routes.delete("/v1/teams/{id}/invitations/{invitation_id}", Access.USER, this::revoke);
        // Public: the sign-up page shows what the invitation is for before there is an account.
        routes.post("/v1/invitations/preview", Access.PUBLIC, this::preview);
        routes.post("/v1/invitations/accept", Access.USER, this::accept);
    }

    private void invite(Context ctx) {
        TeamStore.Membership team = team(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("email", "role"));
        String email = Emails.require("email", body.requiredString("email"));
        Role role = body.string("role").map(InvitationRoutes::role).orElse(Role.MEMBER);
        InvitationService.Issued issued = invitations.invite(team, Authenticator.caller(ctx).requireUser(), email, role);
        AuditTrail.resource(ctx, WireId.INVITATION, issued.invitation().id());
        Map<String, Object> view = view(issued.invitation());
        view.put("token", issued.token());
        view.put("accept_url", ACCEPT_PAGE + issued.token());
        ctx.status(201).json(view);
    }

    private void list(Context ctx) {
        TeamStore.Membership team = team(ctx);
        Paging.PageRequest request = PAGING.request(ctx.queryParam("limit"), ctx.queryParam("cursor"));
        Paging.Page<InvitationStore.Invitation> page = PAGING.page(request, invitations.pending(team, request),
                invitation -> List.of(Paging.micros(invitation.createdAt()), invitation.id().toString()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invitations", page.items().stream().map(InvitationRoutes::view).toList());
        body.put("next_cursor", page.nextCursor());
        ctx.json(body);
    }

    private void revoke(Context ctx) {
        TeamStore.Membership team = team(ctx);
        InvitationStore.Invitation revoked = invitations.revoke(team, ctx.pathParam("invitation_id"));
        AuditTrail.resource(ctx, WireId.INVITATION, revoked.id());
        ctx.status(204);
    }

    private void preview(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("token"));
        InvitationStore.Invitation invitation = invitations.preview(body.requiredString("token"));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("team_name", invitation.teamName());
        view.put("role", invitation.role().wire());
        view.put("email", invitation.email());
        view.put("expires_at", invitation.expiresAt());
        ctx.json(view);
    }

    private void accept(Context ctx) {
        UUID user = Authenticator.caller(ctx).requireUser();
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("token"));
        InvitationStore.Invitation invitation = invitations.accept(user, body.requiredString("token"));
        // The entry belongs to the team joined, whichever team the caller's token was for.
        AuditTrail.team(ctx, invitation.teamId());
        AuditTrail.resource(ctx, WireId.INVITATION, invitation.id());
        TeamStore.Membership joined = teams.membership(user, WireId.TEAM.encode(invitation.teamId()));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("team_id", WireId.TEAM.encode(joined.teamId()));
        view.put("team_name", joined.teamName());
        view.put("role", joined.role().wire());
        ctx.json(view);
    }

    /** The path's team, if the caller is in it; also names it as the audit entry's team. */
    private TeamStore.Membership team(Context ctx) {
        TeamStore.Membership team = teams.membership(Authenticator.caller(ctx).requireUser(), ctx.pathParam("id"));
        AuditTrail.team(ctx, team.teamId());
        AuditTrail.resource(ctx, WireId.TEAM, team.teamId());
        return team;
    }

    private static Role role(String wire) {
        return Role.parse(wire).orElseThrow(() -> ApiException.invalid("'role' must be one of owner, admin, member"));
    }

    static Map<String, Object> view(InvitationStore.Invitation invitation) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", WireId.INVITATION.encode(invitation.id()));
        view.put("email", invitation.email());
        view.put("role", invitation.role().wire());
        view.put("created_by", invitation.createdBy() == null ? null : Map.of(
                "id", WireId.USER.encode(invitation.createdBy()), "email", invitation.createdByEmail()));
        view.put("created_at", invitation.createdAt());
        view.put("expires_at", invitation.expiresAt());
        return view;
    }
}
