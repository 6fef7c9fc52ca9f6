package io.wrenn.controlplane.team;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Owners, admins and members: who may do what, and the rules that keep a team owned. */
class TeamRolesTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    /** A team owned by {@code owner} with an admin and a member, all with tokens for that team. */
    record Crew(Person owner, Http admin, String adminId, Http member, String memberId, Person memberPerson, String team) {
    }

    static Crew crew() {
        Person owner = wrenn.signup("Owner");
        Person admin = wrenn.signup("Admin");
        Person member = wrenn.signup("Member");
        String team = owner.teamId();
        Http adminInTeam = TestControlPlane.join(owner.http(), team, admin, "admin");
        Http memberInTeam = TestControlPlane.join(owner.http(), team, member, "member");
        return new Crew(owner, adminInTeam, admin.userId(), memberInTeam, member.userId(), member, team);
    }

    static Http.Response invite(Http http, String team, String email, String role) {
        return TestControlPlane.invite(http, team, email, role);
    }

    @Test
    void membersUseSandboxesButCannotManageKeysOrMembers() {
        Crew crew = crew();
        assertThat(crew.member().get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(crew.member().get("/v1/teams/" + crew.team() + "/members").json().get("members")).hasSize(3);
        assertThat(crew.member().post("/v1/api-keys", "{\"name\":\"mine\"}").status()).isEqualTo(403);
        assertThat(crew.member().get("/v1/api-keys").status()).isEqualTo(403);
        assertThat(crew.member().get("/v1/audit-logs").status()).isEqualTo(403);
        Http.Response invited = invite(crew.member(), crew.team(), wrenn.signup("Outsider").email(), "member");
        assertThat(invited.status()).isEqualTo(403);
        assertThat(invited.code()).isEqualTo("forbidden");
        assertThat(crew.member().get("/v1/teams/" + crew.team() + "/invitations").status()).isEqualTo(403);
        assertThat(crew.member().patch("/v1/teams/" + crew.team() + "/members/" + crew.adminId(), "{\"role\":\"member\"}").status())
                .isEqualTo(403);
        assertThat(crew.member().delete("/v1/teams/" + crew.team() + "/members/" + crew.adminId()).status()).isEqualTo(403);
        assertThat(crew.member().patch("/v1/teams/" + crew.team(), "{\"name\":\"Mine now\"}").status()).isEqualTo(403);
        assertThat(crew.member().delete("/v1/teams/" + crew.team()).status()).isEqualTo(403);
    }

    @Test
    void adminsManageKeysAndMembersButNotOwners() {
        Crew crew = crew();
        Http.Response key = crew.admin().post("/v1/api-keys", "{\"name\":\"ci\"}");
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        assertThat(crew.admin().get("/v1/api-keys").json().get("api_keys").toString()).contains(key.json().get("id").stringValue());
        assertThat(crew.admin().patch("/v1/teams/" + crew.team(), "{\"name\":\"Renamed by admin\"}").status()).isEqualTo(200);
        Person newcomer = wrenn.signup("Newcomer");
        assertThat(invite(crew.admin(), crew.team(), newcomer.email(), "admin").status()).isEqualTo(201);
        assertThat(invite(crew.admin(), crew.team(), wrenn.signup("Would-be owner").email(), "owner").status()).isEqualTo(403);
        assertThat(crew.admin().patch("/v1/teams/" + crew.team() + "/members/" + crew.memberId(), "{\"role\":\"owner\"}").status())
                .isEqualTo(403);
        assertThat(crew.admin().patch("/v1/teams/" + crew.team() + "/members/" + crew.owner().userId(), "{\"role\":\"member\"}").status())
                .isEqualTo(403);
        assertThat(crew.admin().delete("/v1/teams/" + crew.team() + "/members/" + crew.owner().userId()).status()).isEqualTo(403);
        assertThat(crew.admin().delete("/v1/teams/" + crew.team()).status()).isEqualTo(403);
        Http.Response promoted = crew.admin().patch("/v1/teams/" + crew.team() + "/members/" + crew.memberId(), "{\"role\":\"admin\"}");
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().get("role").stringValue()).isEqualTo("admin");
    }

    @Test
    void theLastOwnerCannotLeaveBeDemotedOrRemoved() {
        Crew crew = crew();
        Http owner = crew.owner().http();
        String self = "/v1/teams/" + crew.team() + "/members/" + crew.owner().userId();
        assertThat(owner.post("/v1/teams/" + crew.team() + "/leave", "").code()).isEqualTo("last_owner");
        assertThat(owner.patch(self, "{\"role\":\"admin\"}").code()).isEqualTo("last_owner");
        assertThat(owner.delete(self).code()).isEqualTo("last_owner");

        assertThat(owner.patch("/v1/teams/" + crew.team() + "/members/" + crew.adminId(), "{\"role\":\"owner\"}").status())
                .isEqualTo(200);
        assertThat(owner.patch(self, "{\"role\":\"admin\"}").status()).isEqualTo(200);
        assertThat(crew.admin().post("/v1/teams/" + crew.team() + "/leave", "").code()).isEqualTo("last_owner");
        assertThat(owner.post("/v1/teams/" + crew.team() + "/leave", "").status()).isEqualTo(204);
        assertThat(owner.get("/v1/teams/" + crew.team()).status()).isEqualTo(404);
    }

    @Test
    void aRemovedMembersTokenIsRefusedOnTheNextCall() {
        Crew crew = crew();
        assertThat(crew.member().get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(crew.owner().http().delete("/v1/teams/" + crew.team() + "/members/" + crew.memberId()).status()).isEqualTo(204);
        Http.Response next = crew.member().get("/v1/sandboxes");
        assertThat(next.status()).isEqualTo(403);
        assertThat(next.code()).isEqualTo("not_team_member");
        assertThat(crew.member().get("/v1/teams/" + crew.team() + "/members").status()).isEqualTo(404);
        // The person still exists and can go back to their own team.
        assertThat(crew.member().get("/v1/me").json().get("team").isNull()).isTrue();
        assertThat(crew.member().post("/v1/auth/switch-team", "{\"team_id\":\"" + crew.memberPerson().teamId() + "\"}").status())
                .isEqualTo(200);
    }

    @Test
    void aDeletedKeyIsRefusedOnTheNextCall() {
        Person owner = wrenn.signup("Keyholder");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"deploy\"}");
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("key").stringValue();
        assertThat(key).matches("e2b_[0-9a-f]{48}");
        Http program = owner.http().withKey(key);
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(200);
        var listed = owner.http().get("/v1/api-keys").json().get("api_keys").get(0);
        assertThat(listed.get("name").stringValue()).isEqualTo("deploy");
        assertThat(listed.get("prefix").stringValue()).isEqualTo(key.substring(0, 12));
        assertThat(listed.get("created_by").get("email").stringValue()).isEqualTo(owner.email());
        assertThat(listed.get("last_used_at").stringValue()).isNotEmpty();
        assertThat(owner.http().get("/v1/api-keys").text()).doesNotContain(key);

        assertThat(owner.http().delete("/v1/api-keys/" + created.json().get("id").stringValue()).status()).isEqualTo(204);
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(401);
        assertThat(owner.http().get("/v1/api-keys").json().get("api_keys")).isEmpty();
        assertThat(owner.http().delete("/v1/api-keys/" + created.json().get("id").stringValue()).code()).isEqualTo("api_key_not_found");
        // Keys cannot manage keys.
        assertThat(wrenn.http.get("/v1/api-keys").status()).isEqualTo(403);
    }

    /**
     * Keys issued before the {@code e2b_} form were {@code wrn_} + the same 48 hex digits: such a
     * key keeps working as it is, and under the {@code e2b_} prefix (what the E2B SDKs accept).
     */
    @Test
    void anOlderWrnKeyWorksAsItIsAndUnderTheE2bPrefix() throws Exception {
        Person owner = wrenn.signup("Oldtimer");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"old\"}");
        String hex = created.json().get("key").stringValue().substring("e2b_".length());
        String legacy = "wrn_" + hex;
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(wrenn.jdbcUrl,
                io.wrenn.controlplane.testing.TestPostgres.user(), io.wrenn.controlplane.testing.TestPostgres.password());
                var update = db.prepareStatement("UPDATE api_keys SET hash = ? WHERE id = ?")) {
            update.setBytes(1, java.security.MessageDigest.getInstance("SHA-256")
                    .digest(legacy.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            update.setObject(2, io.wrenn.controlplane.ids.WireId.API_KEY.decode(created.json().get("id").stringValue()).orElseThrow());
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        assertThat(owner.http().withKey(legacy).get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(owner.http().withKey("e2b_" + hex).get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(owner.http().withKey("e2b_" + hex).get("/e2b/v2/sandboxes").status()).isEqualTo(200);
        // Only the prefix is interchangeable.
        assertThat(owner.http().withKey("xyz_" + hex).get("/v1/sandboxes").status()).isEqualTo(401);
    }

    @Test
    void onlyOwnersAndAdminsDeleteTheTeamsSnapshots() {
        Crew crew = crew();
        Http.Response sandbox = crew.member().post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(sandbox.status()).isEqualTo(201);
        Http.Response snapshot = crew.member().post("/v1/snapshots",
                "{\"sandbox_id\":\"" + sandbox.json().get("id").stringValue() + "\",\"name\":\"shared-snap\"}");
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(201);
        int deletedBefore = wrenn.agent.deletedTemplates.size();

        Http.Response refused = crew.member().delete("/v1/snapshots/shared-snap");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("forbidden");
        assertThat(crew.member().get("/v1/snapshots/shared-snap").status()).as("it stays").isEqualTo(200);
        // Nor through the E2B routes, which take the same token.
        Http.Response refusedByE2b = crew.member().delete("/e2b/templates/shared-snap");
        assertThat(refusedByE2b.status()).as(refusedByE2b.toString()).isEqualTo(403);
        assertThat(crew.member().get("/v1/snapshots/shared-snap").status()).as("it stays").isEqualTo(200);
        assertThat(wrenn.agent.deletedTemplates).hasSize(deletedBefore);

        assertThat(crew.member().delete("/v1/sandboxes/" + sandbox.json().get("id").stringValue()).status()).isEqualTo(204);
        assertThat(crew.admin().delete("/v1/snapshots/shared-snap").status()).isEqualTo(204);
        assertThat(crew.member().get("/v1/snapshots/shared-snap").status()).isEqualTo(404);
    }

    @Test
    void deletingATeamStopsItsSandboxesKeysAndTokens() {
        Crew crew = crew();
        Http.Response key = crew.owner().http().post("/v1/api-keys", "{\"name\":\"doomed\"}");
        Http program = crew.owner().http().withKey(key.json().get("key").stringValue());
        Http.Response sandbox = program.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(sandbox.status()).isEqualTo(201);
        Http.Response snapshot = program.post("/v1/snapshots",
                "{\"sandbox_id\":\"" + sandbox.json().get("id").stringValue() + "\",\"name\":\"doomed-snap\"}");
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(201);
        int destroyedBefore = wrenn.agent.destroyed.size();

        assertThat(crew.owner().http().delete("/v1/teams/" + crew.team()).status()).isEqualTo(204);
        assertThat(wrenn.agent.destroyed.size()).isEqualTo(destroyedBefore + 1);
        String teamUuid = io.wrenn.controlplane.ids.WireId.TEAM.decode(crew.team()).orElseThrow().toString();
        assertThat(wrenn.agent.deletedTemplates).containsExactly(teamUuid + "/doomed-snap");
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(401);
        assertThat(crew.member().get("/v1/sandboxes").code()).isEqualTo("not_team_member");
        assertThat(crew.owner().http().get("/v1/teams/" + crew.team()).status()).isEqualTo(404);
        assertThat(crew.owner().http().get("/v1/teams").text()).doesNotContain(crew.team());
    }

    @Test
    void renamingAndListingTeams() {
        Person owner = wrenn.signup("Namer");
        Http.Response renamed = owner.http().patch("/v1/teams/" + owner.teamId(), "{\"name\":\"Ｆｕｌｌ Width & Co.\"}");
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().get("name").stringValue()).isEqualTo("Full Width & Co.");
        assertThat(owner.http().get("/v1/teams").json().get("teams").get(0).get("name").stringValue()).isEqualTo("Full Width & Co.");
    }
}
