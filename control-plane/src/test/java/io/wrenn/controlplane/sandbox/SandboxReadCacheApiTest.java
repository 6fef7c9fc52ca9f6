package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API's sandbox reads answered from memory by a whole control plane: a client reads its own
 * writes at once, a write made by another control plane (a plain UPDATE on the database) is read
 * once its notification arrives, and a team never reads another's sandbox.
 */
class SandboxReadCacheApiTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    @BeforeAll
    static void listening() {
        await().atMost(Duration.ofSeconds(30)).until(() -> wrenn.controlPlane.sandboxCache().coherent());
    }

    @Test
    void aClientReadsItsOwnWritesAtOnce() {
        String id = create("{\"template\":\"minimal\",\"metadata\":{\"app\":\"cache\"}}");
        assertThat(status(id)).isEqualTo("running");
        assertThat(status(id)).isEqualTo("running");
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes?status=running"))).contains(id);

        assertThat(http.post("/v1/sandboxes/" + id + "/pause", "").status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("paused");
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes?status=running"))).doesNotContain(id);
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes?status=paused"))).contains(id);

        assertThat(http.post("/v1/sandboxes/" + id + "/resume", "").status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("running");
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes?status=running"))).contains(id);

        Http.Response timeout = http.post("/e2b/sandboxes/" + id + "/timeout", "{\"timeout\":1234}");
        assertThat(timeout.status()).as(timeout.toString()).isEqualTo(204);
        assertThat(http.get("/v1/sandboxes/" + id).json().get("timeout_s").intValue()).isEqualTo(1234);

        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(status(id)).isEqualTo("stopped");
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes"))).doesNotContain(id);
    }

    @Test
    void aWriteByAnotherControlPlaneIsReadOnceHeard() {
        String id = create("{\"template\":\"minimal\"}");
        SandboxCache cache = wrenn.controlPlane.sandboxCache();
        // Kept: a read is answered from memory (once the create's own notification has passed).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long hits = cache.hits();
            assertThat(status(id)).isEqualTo("running");
            return cache.hits() > hits;
        });
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes"))).contains(id);

        sql("UPDATE sandboxes SET status = 'error', status_reason = 'elsewhere' WHERE id = '"
                + WireId.SANDBOX.decode(id).orElseThrow() + "'");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("error"));
        assertThat(http.get("/v1/sandboxes/" + id).json().get("status_reason").stringValue()).isEqualTo("elsewhere");
        assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes?status=error"))).contains(id);
        assertThat(cache.coherent()).isTrue();
    }

    @Test
    void aTeamNeverReadsAnothersSandboxFromMemory() {
        String id = create("{\"template\":\"minimal\"}");
        Http other = http.withKey(wrenn.controlPlane.createTeamApiKey("other"));
        // Ours kept, twice over; theirs asked for it, twice over.
        for (int i = 0; i < 2; i++) {
            assertThat(status(id)).isEqualTo("running");
            assertThat(SandboxApiTest.ids(http.get("/v1/sandboxes?status=all"))).contains(id);
        }
        for (int i = 0; i < 2; i++) {
            Http.Response theirs = other.get("/v1/sandboxes/" + id);
            assertThat(theirs.status()).isEqualTo(404);
            assertThat(theirs.code()).isEqualTo("sandbox_not_found");
            assertThat(SandboxApiTest.ids(other.get("/v1/sandboxes?status=all"))).isEmpty();
            assertThat(other.get("/e2b/v2/sandboxes").json()).isEmpty();
        }
    }

    private static String create(String body) {
        Http.Response response = http.post("/v1/sandboxes", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    private static String status(String id) {
        Http.Response response = http.get("/v1/sandboxes/" + id);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("status").stringValue();
    }

    /** As another control plane would write: a connection of its own, nothing of this one's code. */
    private static void sql(String statement) {
        try (Connection connection = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var s = connection.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
