package io.wrenn.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verified API keys are held briefly in memory (a database round trip per request would cap
 * throughput), but never past their revocation: revoked through this control plane they stop
 * at once; revoked behind its back (another control plane, an operator's SQL) within a second.
 */
class ApiKeyVerificationTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    @Test
    void aKeyRevokedThroughTheApiStopsOnTheNextRequest() {
        Person owner = wrenn.signup("Revoker");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"ci\"}");
        Http program = wrenn.http.withKey(created.json().get("key").stringValue());
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(200);

        assertThat(owner.http().delete("/v1/api-keys/" + created.json().get("id").stringValue()).status()).isEqualTo(204);
        Http.Response refused = program.get("/v1/sandboxes");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("unauthorized");
    }

    @Test
    void aKeyRevokedBehindTheControlPlanesBackStopsWithinASecond() throws Exception {
        Person owner = wrenn.signup("Operator");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"elsewhere\"}");
        Http program = wrenn.http.withKey(created.json().get("key").stringValue());
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(200);

        sql("UPDATE api_keys SET revoked_at = now() WHERE name = 'elsewhere'");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> program.get("/v1/sandboxes").status() == 401);
    }

    @Test
    void theKeysOfADeletedTeamStopOnTheNextRequest() {
        Person owner = wrenn.signup("Leaver");
        Http.Response created = owner.http().post("/v1/api-keys", "{\"name\":\"doomed\"}");
        Http program = wrenn.http.withKey(created.json().get("key").stringValue());
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(200);

        Http.Response deleted = owner.http().delete("/v1/teams/" + owner.teamId());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(program.get("/v1/sandboxes").status()).isEqualTo(401);
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password())) {
            c.createStatement().execute(statement);
        }
    }
}
