package io.wrenn.controlplane.team;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.account.SignupPolicy;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** People join teams by invitation: who may invite, what a token is good for, and how sign-up takes one. */
class InvitationsTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    private static Http.Response invite(Http http, String team, String email, String role) {
        return TestControlPlane.invite(http, team, email, role);
    }

    private static Http.Response accept(Http http, String token) {
        return http.post("/v1/invitations/accept", "{\"token\":\"" + token + "\"}");
    }

    private static Http.Response preview(Http http, String token) {
        return http.post("/v1/invitations/preview", "{\"token\":\"" + token + "\"}");
    }

    private static List<JsonNode> pending(Http http, String team) {
        Http.Response listed = http.get("/v1/teams/" + team + "/invitations");
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        listed.json().get("invitations").forEach(rows::add);
        return rows;
    }

    private static String fresh() {
        return "invitee-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    void anInvitedPersonAcceptsOnceAndJoinsWithTheRole() {
        Person owner = wrenn.signup("Inviter");
        Person grace = wrenn.signup("Grace");
        Http.Response invited = invite(owner.http(), owner.teamId(), "  " + grace.email().toUpperCase() + " ", "admin");
        assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
        JsonNode body = invited.json();
        String token = body.get("token").stringValue();
        assertThat(token).matches("wrninv_[0-9a-f]{48}");
        assertThat(body.get("id").stringValue()).matches("inv-[0-9a-z]{25}");
        assertThat(body.get("email").stringValue()).isEqualTo(grace.email());
        assertThat(body.get("role").stringValue()).isEqualTo("admin");
        assertThat(body.get("accept_url").stringValue()).isEqualTo("/dashboard/invitations/accept#token=" + token);
        assertThat(java.time.Duration.between(java.time.Instant.parse(body.get("created_at").stringValue()),
                java.time.Instant.parse(body.get("expires_at").stringValue()))).isEqualTo(java.time.Duration.ofDays(7));

        List<JsonNode> listed = pending(owner.http(), owner.teamId());
        assertThat(listed).hasSize(1);
        assertThat(listed.getFirst().get("id").stringValue()).isEqualTo(body.get("id").stringValue());
        assertThat(listed.getFirst().get("created_by").get("email").stringValue()).isEqualTo(owner.email());
        assertThat(listed.getFirst().has("token")).isFalse();
        assertThat(owner.http().get("/v1/teams/" + owner.teamId() + "/invitations").text()).doesNotContain(token);

        // Public: the sign-up page shows it before there is a session.
        Http.Response seen = preview(wrenn.http.withKey(null), token);
        assertThat(seen.status()).as(seen.toString()).isEqualTo(200);
        assertThat(seen.json().get("team_name").stringValue()).isEqualTo("Personal");
        assertThat(seen.json().get("role").stringValue()).isEqualTo("admin");
        assertThat(seen.json().get("email").stringValue()).isEqualTo(grace.email());

        Http.Response accepted = accept(grace.http(), token);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().get("team_id").stringValue()).isEqualTo(owner.teamId());
        assertThat(accepted.json().get("team_name").stringValue()).isEqualTo("Personal");
        assertThat(accepted.json().get("role").stringValue()).isEqualTo("admin");
        assertThat(owner.http().get("/v1/teams/" + owner.teamId() + "/members").json().findValuesAsString("user_id"))
                .contains(grace.userId());
        assertThat(pending(owner.http(), owner.teamId())).isEmpty();

        Http.Response again = accept(grace.http(), token);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.code()).isEqualTo("invitation_not_found");
        assertThat(preview(wrenn.http.withKey(null), token).code()).isEqualTo("invitation_not_found");
    }

    @Test
    void theAnswerIsTheSameForUnknownKnownAndMemberEmails() {
        Person owner = wrenn.signup("Discreet");
        Person known = wrenn.signup("Known");
        Person member = wrenn.signup("Already In");
        TestControlPlane.join(owner.http(), owner.teamId(), member, "member");
        List<Http.Response> answers = List.of(
                invite(owner.http(), owner.teamId(), fresh(), "member"),
                invite(owner.http(), owner.teamId(), known.email(), "member"),
                invite(owner.http(), owner.teamId(), member.email(), "member"));
        for (Http.Response answer : answers) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
            assertThat(answer.json().propertyNames()).containsExactly("id", "email", "role", "created_by", "created_at",
                    "expires_at", "token", "accept_url");
            assertThat(answer.headers().keySet()).isEqualTo(answers.getFirst().headers().keySet());
        }
        // Accepting an invitation to a team one is already in changes nothing and spends it.
        Http.Response accepted = accept(member.http(), answers.get(2).json().get("token").stringValue());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().get("role").stringValue()).isEqualTo("member");
        assertThat(pending(owner.http(), owner.teamId())).extracting(r -> r.get("email").stringValue())
                .doesNotContain(member.email());
    }

    @Test
    void invitingAgainReplacesTheOldToken() {
        Person owner = wrenn.signup("Repeater");
        Person ada = wrenn.signup("Ada");
        String first = invite(owner.http(), owner.teamId(), ada.email(), "member").json().get("token").stringValue();
        String second = invite(owner.http(), owner.teamId(), ada.email(), "admin").json().get("token").stringValue();
        assertThat(pending(owner.http(), owner.teamId())).singleElement()
                .satisfies(row -> assertThat(row.get("role").stringValue()).isEqualTo("admin"));
        assertThat(preview(wrenn.http.withKey(null), first).code()).isEqualTo("invitation_not_found");
        assertThat(accept(ada.http(), first).code()).isEqualTo("invitation_not_found");
        assertThat(accept(ada.http(), second).json().get("role").stringValue()).isEqualTo("admin");
    }

    @Test
    void onlyThePersonItIsForMayAcceptIt() {
        Person owner = wrenn.signup("Host");
        Person meant = wrenn.signup("Meant");
        Person other = wrenn.signup("Other");
        String token = invite(owner.http(), owner.teamId(), meant.email(), "member").json().get("token").stringValue();
        Http.Response refused = accept(other.http(), token);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("invitation_email_mismatch");
        assertThat(owner.http().get("/v1/teams/" + owner.teamId() + "/members").json().findValuesAsString("user_id"))
                .doesNotContain(other.userId());
        // An API key acts for its team, not for a person: it cannot accept.
        Http.Response byKey = accept(wrenn.http, token);
        assertThat(byKey.status()).isEqualTo(403);
        assertThat(accept(meant.http(), token).status()).isEqualTo(200);
    }

    @Test
    void expiredRevokedUsedAndMadeUpTokensAnswerAlike() throws Exception {
        Person owner = wrenn.signup("Keeper");
        Person pat = wrenn.signup("Pat");
        Person sam = wrenn.signup("Sam");
        Person lee = wrenn.signup("Lee");
        String expired = invite(owner.http(), owner.teamId(), pat.email(), "member").json().get("token").stringValue();
        sql("UPDATE team_invitations SET expires_at = now() - interval '1 second' WHERE email = '" + pat.email() + "'");
        JsonNode toRevoke = invite(owner.http(), owner.teamId(), sam.email(), "member").json();
        assertThat(owner.http().delete("/v1/teams/" + owner.teamId() + "/invitations/" + toRevoke.get("id").stringValue()).status())
                .isEqualTo(204);
        assertThat(owner.http().delete("/v1/teams/" + owner.teamId() + "/invitations/" + toRevoke.get("id").stringValue()).code())
                .isEqualTo("invitation_not_found");
        String used = invite(owner.http(), owner.teamId(), lee.email(), "member").json().get("token").stringValue();
        assertThat(accept(lee.http(), used).status()).isEqualTo(200);
        String madeUp = "wrninv_" + "0".repeat(48);

        List<String> bodies = new ArrayList<>();
        for (String[] attempt : new String[][] {{expired, pat.token()}, {toRevoke.get("token").stringValue(), sam.token()},
                {used, lee.token()}, {madeUp, pat.token()}, {"", pat.token()}}) {
            Http.Response accepted = accept(wrenn.http.withToken(attempt[1]), attempt[0]);
            Http.Response seen = preview(wrenn.http.withKey(null), attempt[0]);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(404);
            assertThat(seen.status()).as(seen.toString()).isEqualTo(404);
            bodies.add(accepted.text());
            bodies.add(seen.text());
        }
        assertThat(bodies).containsOnly(bodies.getFirst());
        assertThat(bodies.getFirst()).contains("invitation_not_found");
        assertThat(pending(owner.http(), owner.teamId())).isEmpty();
    }

    @Test
    void adminsInviteButNotOwnersAndCannotRevokeAnOwnersInvitation() {
        Person owner = wrenn.signup("Top");
        Http admin = TestControlPlane.join(owner.http(), owner.teamId(), wrenn.signup("Second"), "admin");
        Person ownerToBe = wrenn.signup("Heir");
        JsonNode ownerInvitation = invite(owner.http(), owner.teamId(), ownerToBe.email(), "owner").json();
        assertThat(invite(admin, owner.teamId(), fresh(), "admin").status()).isEqualTo(201);
        assertThat(invite(admin, owner.teamId(), fresh(), "owner").code()).isEqualTo("forbidden");
        // Nor by inviting the same email again, which would revoke it.
        assertThat(invite(admin, owner.teamId(), ownerToBe.email(), "member").code()).isEqualTo("forbidden");
        assertThat(admin.delete("/v1/teams/" + owner.teamId() + "/invitations/" + ownerInvitation.get("id").stringValue()).code())
                .isEqualTo("forbidden");
        assertThat(accept(ownerToBe.http(), ownerInvitation.get("token").stringValue()).json().get("role").stringValue())
                .isEqualTo("owner");
    }

    @Test
    void anotherTeamsInvitationsAreNotFound() {
        Person alpha = wrenn.signup("Alpha");
        Person beta = wrenn.signup("Beta");
        String id = invite(alpha.http(), alpha.teamId(), fresh(), "member").json().get("id").stringValue();
        assertThat(beta.http().get("/v1/teams/" + alpha.teamId() + "/invitations").code()).isEqualTo("team_not_found");
        assertThat(beta.http().delete("/v1/teams/" + alpha.teamId() + "/invitations/" + id).code()).isEqualTo("team_not_found");
        assertThat(invite(beta.http(), alpha.teamId(), fresh(), "member").code()).isEqualTo("team_not_found");
        Http.Response inOwnTeam = beta.http().delete("/v1/teams/" + beta.teamId() + "/invitations/" + id);
        assertThat(inOwnTeam.status()).isEqualTo(404);
        assertThat(inOwnTeam.code()).isEqualTo("invitation_not_found");
        assertThat(pending(alpha.http(), alpha.teamId())).hasSize(1);
    }

    @Test
    void aTeamHoldsABoundedNumberOfPendingInvitations() {
        Person owner = wrenn.signup("Popular");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < InvitationService.MAX_PENDING_PER_TEAM; i++) {
            Http.Response invited = invite(owner.http(), owner.teamId(), "crowd-" + i + "-" + fresh(), "member");
            assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
            ids.add(invited.json().get("id").stringValue());
        }
        Http.Response refused = invite(owner.http(), owner.teamId(), fresh(), "member");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("too_many_invitations");
        assertThat(owner.http().delete("/v1/teams/" + owner.teamId() + "/invitations/" + ids.getFirst()).status()).isEqualTo(204);
        assertThat(invite(owner.http(), owner.teamId(), fresh(), "member").status()).isEqualTo(201);
    }

    @Test
    void inviteRevokeAndAcceptAreInTheTeamsAuditLog() {
        Person owner = wrenn.signup("Recorder");
        Person joiner = wrenn.signup("Joiner");
        JsonNode revoked = invite(owner.http(), owner.teamId(), fresh(), "member").json();
        owner.http().delete("/v1/teams/" + owner.teamId() + "/invitations/" + revoked.get("id").stringValue());
        JsonNode kept = invite(owner.http(), owner.teamId(), joiner.email(), "member").json();
        // The joiner's token is for their own team: the entry still goes to the team joined.
        accept(joiner.http(), kept.get("token").stringValue());

        Http.Response log = owner.http().get("/v1/audit-logs");
        List<String> lines = new ArrayList<>();
        log.json().get("entries").forEach(e -> lines.add(e.get("action").stringValue() + " " + e.get("status").intValue() + " "
                + e.get("resource").path("type").asString("") + " " + e.get("resource").path("id").asString("")));
        assertThat(lines).containsSubsequence(
                "POST /v1/invitations/accept 200 invitation " + kept.get("id").stringValue(),
                "POST /v1/teams/{id}/invitations 201 invitation " + kept.get("id").stringValue(),
                "DELETE /v1/teams/{id}/invitations/{invitation_id} 204 invitation " + revoked.get("id").stringValue(),
                "POST /v1/teams/{id}/invitations 201 invitation " + revoked.get("id").stringValue());
        assertThat(log.text()).doesNotContain(kept.get("token").stringValue());
    }

    @Test
    void signUpByInvitationOnlyAdmitsTheInvitedAndJoinsTheirTeam() {
        try (TestControlPlane closed = new TestControlPlane(c -> c.signup(
                new SignupPolicy(SignupPolicy.Mode.INVITATIONS, List.of(), 10_000, 10_000)))) {
            Http anonymous = closed.http.withKey(null);
            String email = fresh();
            Http.Response refused = signup(anonymous, email, null);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("signup_closed");
            assertThat(refused.json().get("message").stringValue()).contains("invitation");

            // The bootstrap admin's team invites.
            Http admin = closed.http.withToken(anonymous.post("/v1/auth/login", "{\"email\":\"admin@localhost\",\"password\":\""
                    + closed.adminPassword + "\"}").json().get("token").stringValue());
            String team = admin.get("/v1/me").json().get("team").get("id").stringValue();
            String token = invite(admin, team, email, "admin").json().get("token").stringValue();

            assertThat(signup(anonymous, fresh(), token).code()).isEqualTo("invitation_email_mismatch");
            assertThat(signup(anonymous, email, "wrninv_" + "1".repeat(48)).code()).isEqualTo("invitation_not_found");
            Http.Response joined = signup(anonymous, email, token);
            assertThat(joined.status()).as(joined.toString()).isEqualTo(201);
            assertThat(joined.json().get("team").get("id").stringValue()).isEqualTo(team);
            assertThat(joined.json().get("team").get("role").stringValue()).isEqualTo("admin");
            Http person = closed.http.withToken(joined.json().get("token").stringValue());
            assertThat(person.get("/v1/teams").json().get("teams")).hasSize(1);
            assertThat(person.get("/v1/sandboxes").status()).isEqualTo(200);
            assertThat(signup(anonymous, email, token).code()).isEqualTo("invitation_not_found");
            assertThat(pending(admin, team)).isEmpty();
        }
    }

    @Test
    void anInvitationAdmitsASignUpWhenSignUpIsClosed() {
        try (TestControlPlane closed = new TestControlPlane(c -> c.signup(
                new SignupPolicy(SignupPolicy.Mode.CLOSED, List.of(), 10_000, 10_000)))) {
            Http anonymous = closed.http.withKey(null);
            Http admin = closed.http.withToken(anonymous.post("/v1/auth/login", "{\"email\":\"admin@localhost\",\"password\":\""
                    + closed.adminPassword + "\"}").json().get("token").stringValue());
            String team = admin.get("/v1/me").json().get("team").get("id").stringValue();
            String email = fresh();
            assertThat(signup(anonymous, email, null).code()).isEqualTo("signup_closed");
            String token = invite(admin, team, email, "member").json().get("token").stringValue();
            Http.Response joined = signup(anonymous, email, token);
            assertThat(joined.status()).as(joined.toString()).isEqualTo(201);
            assertThat(joined.json().get("team").get("id").stringValue()).isEqualTo(team);
        }
    }

    private static Http.Response signup(Http http, String email, String invitation) {
        return http.post("/v1/auth/signup", "{\"email\":\"" + email + "\",\"password\":\"pw-" + UUID.randomUUID()
                + "\",\"name\":\"Invited\"" + (invitation == null ? "" : ",\"invitation\":\"" + invitation + "\"") + "}");
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password())) {
            c.createStatement().execute(statement);
        }
    }
}
