package io.wrenn.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A change made only in the database and its audit entry commit together: when the entry cannot
 * be written the change is not kept (the call answers 500 and nothing changed), and a call that
 * fails leaves its failure entry and no success entry. The audit table is made to refuse one
 * action with a CHECK constraint, on a real PostgreSQL.
 */
class AuditInTransactionTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    @Test
    void aChangeWhoseAuditEntryCannotBeWrittenIsNotKept() {
        Person owner = wrenn.signup("Unrecorded");
        UUID team = WireId.TEAM.decode(owner.teamId()).orElseThrow();
        refuseAuditEntriesFor("POST /v1/api-keys");
        try {
            Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"ghost\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(500);
            assertThat(created.json().get("code").stringValue()).isNotBlank();
            assertThat(created.text()).doesNotContain("key_").doesNotContain("audit_log");
        } finally {
            allowAuditEntries();
        }
        assertThat(count("SELECT count(*) FROM api_keys WHERE team_id = '" + team + "' AND name = 'ghost'")).isZero();
        assertThat(owner.http().get("/v1/api-keys").json().get("api_keys").size()).isZero();

        refuseAuditEntriesFor("POST /v1/teams/{id}/invitations");
        Person newcomer = wrenn.signup("Newcomer");
        try {
            Http.Response invited = TestControlPlane.invite(owner.http(), owner.teamId(), newcomer.email(), "member");
            assertThat(invited.status()).isEqualTo(500);
            assertThat(invited.text()).doesNotContain("wrninv_");
        } finally {
            allowAuditEntries();
        }
        assertThat(count("SELECT count(*) FROM team_invitations WHERE team_id = '" + team + "'")).isZero();

        String token = TestControlPlane.invite(owner.http(), owner.teamId(), newcomer.email(), "member").json().get("token").stringValue();
        refuseAuditEntriesFor("POST /v1/invitations/accept");
        try {
            assertThat(newcomer.http().post("/v1/invitations/accept", "{\"token\":\"" + token + "\"}").status()).isEqualTo(500);
        } finally {
            allowAuditEntries();
        }
        assertThat(count("SELECT count(*) FROM team_members WHERE team_id = '" + team + "'")).isEqualTo(1);
        assertThat(newcomer.http().post("/v1/invitations/accept", "{\"token\":\"" + token + "\"}").status())
                .as("the invitation was not spent either").isEqualTo(200);
    }

    @Test
    void everyKeptChangeHasItsEntryAndAFailedOneOnlyItsFailure() {
        Person owner = wrenn.signup("Recorded");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"kept\"}");
        assertThat(created.status()).isEqualTo(201);
        String keyId = created.json().get("id").stringValue();
        assertThat(owner.http().delete("/v1/api-keys/" + keyId).status()).isEqualTo(204);
        // The team's last owner cannot demote themselves: refused inside the change's own transaction.
        Http.Response demoted = owner.http().patch("/v1/teams/" + owner.teamId() + "/members/" + owner.userId(), "{\"role\":\"member\"}");
        assertThat(demoted.status()).as(demoted.toString()).isEqualTo(409);

        List<JsonNode> log = AuditLogTest.entries(owner.http(), "");
        assertThat(log).filteredOn(e -> e.get("resource").path("id").asString("").equals(keyId))
                .extracting(e -> e.get("action").stringValue() + " " + e.get("outcome").stringValue())
                .containsExactly("DELETE /v1/api-keys/{id} success", "POST /v1/api-keys success");
        assertThat(log).filteredOn(e -> e.get("action").stringValue().equals("PATCH /v1/teams/{id}/members/{user_id}"))
                .extracting(e -> e.get("outcome").stringValue() + " " + e.get("status").intValue())
                .containsExactly("failure 409");
        assertThat(count("SELECT count(*) FROM team_members WHERE user_id = '" + WireId.USER.decode(owner.userId()).orElseThrow()
                + "' AND role = 'owner'")).isEqualTo(1);
    }

    private static void refuseAuditEntriesFor(String action) {
        sql("ALTER TABLE audit_log ADD CONSTRAINT test_refuses_action CHECK (action <> '" + action + "') NOT VALID");
    }

    private static void allowAuditEntries() {
        sql("ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS test_refuses_action");
    }

    private static void sql(String statement) {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var s = c.createStatement()) {
            s.executeUpdate(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String query) {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var s = c.createStatement(); var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
