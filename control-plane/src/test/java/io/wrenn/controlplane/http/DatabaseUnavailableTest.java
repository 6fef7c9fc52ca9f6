package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * A control plane whose database has gone answers every call that needs it with a 503
 * {@code database_unavailable} and a {@code Retry-After}, within the pool's wait, instead of a
 * bare 500 after half a minute; nothing about the database reaches the client.
 */
class DatabaseUnavailableTest {

    @Test
    void callsThatNeedTheDatabaseAreToldItIsUnavailable() {
        try (TestControlPlane wrenn = new TestControlPlane()) {
            assertThat(wrenn.http.get("/v1/sandboxes").status()).isEqualTo(200);

            TestPostgres.dropDatabase(wrenn.jdbcUrl);

            Http.Response list = wrenn.http.get("/v1/sandboxes");
            assertUnavailable(list);
            assertThat(list.code()).isEqualTo("database_unavailable");
            Http.Response login = wrenn.http.withKey(null).post("/v1/auth/login",
                    "{\"email\":\"admin@localhost\",\"password\":\"" + wrenn.adminPassword + "\"}");
            assertUnavailable(login);
            assertThat(login.code()).isEqualTo("database_unavailable");
            // The E2B facade answers in its own shape: the HTTP status as the code.
            Http.Response e2b = wrenn.http.get("/e2b/sandboxes");
            assertUnavailable(e2b);
            assertThat(e2b.json().get("code").asInt()).isEqualTo(503);
        }
    }

    private static void assertUnavailable(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("5");
        assertThat(response.text()).doesNotContain("wrenn_test_", "jdbc", "Exception", "SQL");
    }
}
