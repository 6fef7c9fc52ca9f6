package io.wrenn.controlplane.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ready means a create would be accepted: {@code /health} says so only with a host online,
 * {@code /health/live} answers regardless; a create that arrives while the only host is
 * reconnecting waits for it (bounded), and is refused with 503 and {@code Retry-After} only if
 * it does not come back.
 */
class ReadinessTest {

    private static final String CREATE = "{\"template\":\"minimal\"}";
    TestControlPlane wrenn;

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
    }

    @AfterEach
    void stop() {
        wrenn.close();
    }

    @Test
    void healthIsReadyOnlyWithAHostOnlineAndLivenessAlwaysAnswers() throws Exception {
        Http anonymous = wrenn.http.withKey(null);
        assertThat(anonymous.get("/health").status()).isEqualTo(200);

        wrenn.agent.down = true;
        sql("UPDATE hosts SET status = 'unreachable'");
        // The answer may be up to Readiness.FRESH_FOR old.
        Http.Response notReady = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> anonymous.get("/health"), response -> response.status() != 200);
        assertThat(notReady.status()).as(notReady.toString()).isEqualTo(503);
        assertThat(notReady.code()).isEqualTo("no_host_available");
        assertThat(notReady.header("Retry-After")).isNotNull();
        assertThat(anonymous.get("/health/live").status()).isEqualTo(200);

        wrenn.agent.down = false;
        assertThat(wrenn.controlPlane.awaitReady(Duration.ofSeconds(10))).isTrue();
        assertThat(anonymous.get("/health").status()).isEqualTo(200);
    }

    @Test
    void aCreateWhileTheOnlyHostIsMarkedUnreachableButAnswersSucceeds() throws Exception {
        // The state right after a restart: the host's row says unreachable until the reconciler's
        // next pass, though the agent already answers.
        sql("UPDATE hosts SET status = 'unreachable'");
        Http.Response created = wrenn.http.post("/v1/sandboxes", CREATE);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    @Test
    void aCreateWhileTheOnlyHostIsDownIsRefusedWithRetryAfter() throws Exception {
        wrenn.agent.down = true;
        sql("UPDATE hosts SET status = 'unreachable'");
        Http.Response refused = wrenn.http.post("/v1/sandboxes", CREATE);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.code()).isEqualTo("no_host_available");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        assertThat(wrenn.agent.creates).isEmpty();
    }

    @Test
    void aHostThatRegisteredAgainElsewhereIsNotTakenOfflineByAStaleFailure() throws Exception {
        HostStore hosts = new HostStore(org.jdbi.v3.core.Jdbi.create(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password()));
        java.util.UUID id = hosts.upsert("restarting", "127.0.0.1:1111");
        hosts.upsert("restarting", "127.0.0.1:2222");
        assertThat(hosts.markUnreachable(id, "127.0.0.1:1111")).isFalse();
        assertThat(hosts.find(id).orElseThrow().online()).isTrue();
        assertThat(hosts.markUnreachable(id, "127.0.0.1:2222")).isTrue();
        assertThat(hosts.find(id).orElseThrow().online()).isFalse();
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password())) {
            c.createStatement().execute(statement);
        }
    }
}
