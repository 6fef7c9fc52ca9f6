package io.wrenn.controlplane.account;

import io.javalin.http.Context;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ClientAddress;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Names;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.team.InvitationService;
import io.wrenn.controlplane.team.InvitationStore;
import io.wrenn.controlplane.team.TeamService;
import io.wrenn.controlplane.team.TeamStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code /v1/auth/*} and {@code /v1/me}: accounts and sessions. */
public final class AccountRoutes {

    private final AccountService accounts;
    private final TeamService teams;
    private final InvitationService invitations;
    private final ClientAddress clientAddress;
    private final SignupPolicy signupPolicy;
    private final SignupThrottle signupThrottle;

    public AccountRoutes(AccountService accounts, TeamService teams, InvitationService invitations, ClientAddress clientAddress,
                         SignupPolicy signupPolicy, SignupThrottle signupThrottle) {
        this.invitations = invitations;
        this.signupPolicy = signupPolicy;
        this.signupThrottle = signupThrottle;
        this.accounts = accounts;
        this.teams = teams;
        this.clientAddress = clientAddress;
    }

    public void register(RouteTable routes) {
        routes.post("/v1/auth/signup", Access.PUBLIC, this::signup);
        routes.post("/v1/auth/login", Access.PUBLIC, this::login);
        routes.post("/v1/auth/verify-email", Access.PUBLIC, this::verifyEmail);
        routes.post("/v1/auth/resend-verification", Access.PUBLIC, this::resendVerification);
        routes.post("/v1/auth/switch-team", Access.USER, this::switchTeam);
        routes.get("/v1/me", Access.USER, this::me);
        routes.post("/v1/me/password", Access.USER, this::changePassword);
        routes.post("/v1/me/email-verification", Access.USER, this::requestVerification);
    }

    /** Longest token a verification link carries (ours have 43 characters); anything longer is no token of ours. */
    private static final int MAX_TOKEN_LENGTH = 128;

    /** The answer to a sign-up or a resend when mail is configured: the same whatever happened. */
    private static final Map<String, String> CHECK_YOUR_EMAIL = Map.of(
            "status", "verification_sent",
            "message", "check your email: if the address can sign up, a link to confirm it is on its way");

    /**
     * A new account. With mail configured nothing is made yet: the address gets a link that makes
     * the account ({@code 202}, the same answer for a taken address, which gets a notice instead).
     * With {@code invitation} (a pending invitation's token, made out to this
     * email) it is admitted whatever the sign-up mode, joins the inviting team instead of getting
     * a team of its own, and the invitation is spent, all in one transaction.
     */
    private void signup(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("email", "password", "name", "invitation"));
        String email = Emails.require("email", body.requiredString("email"));
        String name = Names.require("name", body.requiredString("name"));
        java.util.Optional<String> invitation = body.string("invitation");
        if (invitation.isPresent()) {
            // Checked here only to answer early; the sign-up's transaction spends it under a lock.
            InvitationStore.Invitation invited = invitations.preview(invitation.get());
            if (!invited.email().equals(email)) {
                throw new ApiException(ErrorCode.INVITATION_EMAIL_MISMATCH,
                        "this invitation is for another email address: sign up with the address it was sent to");
            }
        } else {
            signupPolicy.requireAdmits(email);
        }
        // Counted before the password is hashed: a flood of sign-ups costs no argon2 time.
        signupThrottle.record(ClientAddress.throttleKey(clientAddress.of(ctx)));
        if (accounts.verifiesByMail()) {
            accounts.signupByMail(email, name, body.requiredString("password"), invitation.map(InvitationService::hash));
            ctx.status(202).json(CHECK_YOUR_EMAIL);
            return;
        }
        AccountService.Session session = accounts.signup(email, name, body.requiredString("password"),
                invitation.map(InvitationService::hash));
        audit(ctx, session);
        ctx.status(201).json(AccountViews.session(session));
    }

    /** Follows a mailed link (its token travels in the body, never a URL): a session, like a login. */
    private void verifyEmail(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("token"));
        String token = body.requiredString("token");
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw new ApiException(ErrorCode.VERIFICATION_NOT_FOUND,
                    "no such verification link: it may have expired or been used; sign up or ask for a new link");
        }
        AccountService.Session session = accounts.verify(token);
        audit(ctx, session);
        ctx.json(AccountViews.session(session));
    }

    /**
     * Mails a new link to whoever knows the password of a waiting sign-up or of an unverified
     * account; {@code 202} whatever happened. Counted against the address's sign-ups, and every
     * recipient gets at most a few mails an hour.
     */
    private void resendVerification(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("email", "password"));
        String email = Emails.require("email", body.requiredString("email"));
        String password = body.requiredString("password");
        PasswordPolicy.checkPresented("password", password);
        if (!accounts.verifiesByMail()) {
            throw new ApiException(ErrorCode.MAIL_NOT_CONFIGURED, "this Wrenn sends no mail: its operator configured no SMTP server");
        }
        signupThrottle.record(ClientAddress.throttleKey(clientAddress.of(ctx)));
        accounts.resendVerification(email, password);
        ctx.status(202).json(CHECK_YOUR_EMAIL);
    }

    private void login(Context ctx) {
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("email", "password"));
        String email = Emails.require("email", body.requiredString("email"));
        String password = body.requiredString("password");
        PasswordPolicy.checkPresented("password", password);
        AccountService.Session session = accounts.login(email, password, ClientAddress.throttleKey(clientAddress.of(ctx)));
        audit(ctx, session);
        ctx.json(AccountViews.session(session));
    }

    private void switchTeam(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("team_id"));
        TeamStore.Membership team = teams.membership(caller.requireUser(), body.requiredString("team_id"));
        AuditTrail.team(ctx, team.teamId());
        AuditTrail.resource(ctx, WireId.TEAM, team.teamId());
        ctx.json(AccountViews.session(accounts.session(caller.userId(), team.teamId())));
    }

    private void me(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        AccountService.Session session = accounts.session(caller.requireUser(), caller.teamId());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("user", AccountViews.user(session.user()));
        view.put("team", session.team().map(AccountViews::team).orElse(null));
        view.put("teams", teams.teamsOf(caller.userId()).stream().map(AccountViews::team).toList());
        ctx.json(view);
    }

    /**
     * A signed-in person asks for a link that verifies their own address: a person's route (an API
     * key acts for a team, not for someone's mailbox), and the link goes only to the address the
     * account holds now. No body, or an empty object.
     */
    private void requestVerification(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        JsonBody.parse(ctx.bodyAsBytes(), Set.of());
        String email = accounts.requestVerification(caller.requireUser());
        AuditTrail.resource(ctx, WireId.USER, caller.userId());
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("status", "verification_sent");
        answer.put("message", "check your email: a link to verify " + email + " is on its way (it works once, within "
                + EmailVerifications.LIFETIME_HOURS + " hours)");
        ctx.status(202).json(answer);
    }

    private void changePassword(Context ctx) {
        Caller caller = Authenticator.caller(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), Set.of("current_password", "new_password"));
        String current = body.requiredString("current_password");
        PasswordPolicy.checkPresented("current_password", current);
        AccountService.Session session = accounts.changePassword(caller.requireUser(), caller.teamId(), current,
                body.requiredString("new_password"), ClientAddress.throttleKey(clientAddress.of(ctx)));
        AuditTrail.resource(ctx, WireId.USER, caller.userId());
        ctx.json(AccountViews.session(session));
    }

    private static void audit(Context ctx, AccountService.Session session) {
        AuditTrail.actor(ctx, session.user().id());
        AuditTrail.resource(ctx, WireId.USER, session.user().id());
        session.team().ifPresent(team -> AuditTrail.team(ctx, team.teamId()));
    }
}
