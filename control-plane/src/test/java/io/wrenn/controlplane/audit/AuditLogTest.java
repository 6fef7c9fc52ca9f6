package io.wrenn.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class AuditLogTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    static List<JsonNode> entries(Http http, String query) {
        Http.Response response = http.get("/v1/audit-logs" + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        response.json().get("entries").forEach(entries::add);
        return entries;
    }

    @Test
    void everyMutatingCallIsRecordedWithWhoWhatWhichWhereAndHow() {
        Person owner = wrenn.signup("Auditor");
        Http.Response key = owner.http().post("/v1/api-keys", "{\"name\":\"robot\"}");
        String keyId = key.json().get("id").stringValue();
        Http robot = owner.http().withKey(key.json().get("key").stringValue());
        String sandbox = robot.post("/v1/sandboxes", "{\"template\":\"minimal\"}").json().get("id").stringValue();
        assertThat(robot.post("/v1/sandboxes", "{\"template\":\"no-such-template\"}").status()).isEqualTo(404);
        assertThat(robot.post("/v1/sandboxes", "{\"vcpus\":\"many\"}").status()).isEqualTo(400);
        assertThat(owner.http().delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);
        // Reads are not recorded.
        assertThat(robot.get("/v1/sandboxes").status()).isEqualTo(200);

        List<JsonNode> log = entries(owner.http(), "");
        List<String> actions = log.stream().map(e -> e.get("action").stringValue()).toList();
        assertThat(actions).containsSubsequence("DELETE /v1/sandboxes/{id}", "POST /v1/sandboxes", "POST /v1/sandboxes",
                "POST /v1/sandboxes", "POST /v1/api-keys", "POST /v1/auth/signup");
        assertThat(actions).doesNotContain("GET /v1/sandboxes");

        JsonNode created = log.stream().filter(e -> e.get("action").stringValue().equals("POST /v1/sandboxes")
                && e.get("status").intValue() == 201).findFirst().orElseThrow();
        assertThat(created.get("outcome").stringValue()).isEqualTo("success");
        assertThat(created.get("actor").get("api_key_id").stringValue()).isEqualTo(keyId);
        assertThat(created.get("resource").get("type").stringValue()).isEqualTo("sandbox");
        assertThat(created.get("resource").get("id").stringValue()).isEqualTo(sandbox);
        assertThat(created.get("team_id").stringValue()).isEqualTo(owner.teamId());
        assertThat(created.get("client_address").stringValue()).isEqualTo("127.0.0.1");
        assertThat(created.get("created_at").stringValue()).isNotEmpty();

        JsonNode deleted = log.getFirst();
        assertThat(deleted.get("actor").get("user_id").stringValue()).isEqualTo(owner.userId());
        assertThat(deleted.get("actor").get("email").stringValue()).isEqualTo(owner.email());
        assertThat(deleted.get("resource").get("id").stringValue()).isEqualTo(sandbox);

        List<JsonNode> failures = entries(owner.http(), "?outcome=failure");
        assertThat(failures).extracting(e -> e.get("status").intValue()).contains(404, 400);
        assertThat(failures).allMatch(e -> e.get("outcome").stringValue().equals("failure"));

        assertThat(entries(owner.http(), "?actor=" + keyId)).hasSize(3)
                .allMatch(e -> e.get("actor").get("api_key_id").stringValue().equals(keyId));
        assertThat(entries(owner.http(), "?resource_id=" + sandbox)).hasSize(2);
        assertThat(entries(owner.http(), "?action=POST%20/v1/api-keys")).hasSize(1);
        assertThat(entries(owner.http(), "?since=2999-01-01T00:00:00Z")).isEmpty();
    }

    @Test
    void pagesByCursorNewestFirstWithoutGapsOrRepeats() {
        Person owner = wrenn.signup("Pager");
        for (int i = 0; i < 5; i++) {
            assertThat(owner.http().post("/v1/api-keys", "{\"name\":\"k" + i + "\"}").status()).isEqualTo(201);
        }
        List<JsonNode> all = entries(owner.http(), "");
        assertThat(all).hasSize(6); // signup + 5 keys
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Http.Response page = owner.http().get("/v1/audit-logs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().get("entries").size()).isLessThanOrEqualTo(2);
            page.json().get("entries").forEach(e -> paged.add(e.get("id").stringValue()));
            JsonNode next = page.json().get("next_cursor");
            cursor = next.isNull() ? null : next.stringValue();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).isEqualTo(all.stream().map(e -> e.get("id").stringValue()).toList());
        Set<String> unique = new HashSet<>(paged);
        assertThat(unique).hasSize(6);
    }

    @Test
    void onlyOwnersAndAdminsOfTheTeamReadItsLog() {
        Person owner = wrenn.signup("Boss");
        Person member = wrenn.signup("Staff");
        Http memberInTeam = TestControlPlane.join(owner.http(), owner.teamId(), member, "member");
        assertThat(memberInTeam.get("/v1/audit-logs").status()).isEqualTo(403);
        assertThat(wrenn.http.get("/v1/audit-logs").status()).as("an API key").isEqualTo(403);
        // The member's own team log does not show the boss's team.
        assertThat(member.http().get("/v1/audit-logs").text()).doesNotContain(owner.teamId()).doesNotContain(owner.email());
        assertThat(owner.http().patch("/v1/teams/" + owner.teamId() + "/members/" + member.userId(), "{\"role\":\"admin\"}").status())
                .isEqualTo(200);
        List<JsonNode> log = entries(memberInTeam, "");
        assertThat(log.getFirst().get("action").stringValue()).isEqualTo("PATCH /v1/teams/{id}/members/{user_id}");
        assertThat(log.getFirst().get("resource").get("id").stringValue()).isEqualTo(member.userId());
    }
}
