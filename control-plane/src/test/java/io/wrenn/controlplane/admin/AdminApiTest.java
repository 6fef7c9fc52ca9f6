package io.wrenn.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import io.wrenn.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminApiTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static Http admin;

    @BeforeAll
    static void start() {
        Http.Response login = wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.json().get("user").get("is_admin").booleanValue()).isTrue();
        admin = wrenn.http.withToken(login.json().get("token").stringValue());
    }

    @Test
    void adminsSeeEveryTeamPersonSandboxAndTemplate() {
        Person alice = wrenn.signup("Alice");
        Person bob = wrenn.signup("Bob");
        String a = alice.http().post("/v1/sandboxes", "{\"template\":\"minimal\"}").json().get("id").stringValue();
        String b = bob.http().post("/v1/sandboxes", "{\"template\":\"minimal\"}").json().get("id").stringValue();

        assertThat(admin.get("/v1/admin/teams").text()).contains(alice.teamId(), bob.teamId());
        Http.Response users = admin.get("/v1/admin/users");
        assertThat(users.text()).contains(alice.email(), bob.email()).doesNotContain("argon2");
        var sandboxes = admin.get("/v1/admin/sandboxes").json().get("sandboxes");
        assertThat(sandboxes.findValuesAsString("id")).contains(a, b);
        assertThat(sandboxes.findValuesAsString("team_id")).contains(alice.teamId(), bob.teamId());
        assertThat(admin.get("/v1/admin/templates").json().get("templates").findValuesAsString("name")).contains("minimal", "debian", "base");
        assertThat(admin.get("/v1/admin/sandboxes?status=bogus").status()).isEqualTo(400);
    }

    @Test
    void nobodyElseReachesAdminRoutes() {
        Person eve = wrenn.signup("Eve");
        for (String path : new String[] {"/v1/admin/teams", "/v1/admin/users", "/v1/admin/sandboxes", "/v1/admin/templates",
                "/v1/admin/audit-logs"}) {
            assertThat(eve.http().get(path).status()).as(path).isEqualTo(403);
            assertThat(wrenn.http.get(path).status()).as("API key " + path).isEqualTo(403);
            assertThat(wrenn.http.withKey(null).get(path).status()).as("anonymous " + path).isEqualTo(401);
        }
        assertThat(eve.http().post("/v1/admin/users/" + eve.userId() + "/disable", "").status()).isEqualTo(403);
    }

    @Test
    void theAdminFlagIsReadOnEveryCall() throws Exception {
        Person promoted = wrenn.signup("Promoted");
        assertThat(promoted.http().get("/v1/admin/users").status()).isEqualTo(403);
        setAdmin(promoted.email(), true);
        assertThat(promoted.http().get("/v1/admin/users").status()).isEqualTo(200);
        setAdmin(promoted.email(), false);
        assertThat(promoted.http().get("/v1/admin/users").status()).isEqualTo(403);
    }

    @Test
    void aDisabledPersonIsRefusedAtOnceAndCannotLogIn() {
        Person dave = wrenn.signup("Dave");
        assertThat(dave.http().get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(admin.post("/v1/admin/users/" + dave.userId() + "/disable", "").status()).isEqualTo(204);
        assertThat(dave.http().get("/v1/sandboxes").status()).isEqualTo(401);
        assertThat(dave.http().get("/v1/me").status()).isEqualTo(401);
        String login = "{\"email\":\"" + dave.email() + "\",\"password\":\"" + dave.password() + "\"}";
        Http.Response refused = wrenn.http.withKey(null).post("/v1/auth/login", login);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("account_disabled");
        // A wrong password still says nothing about the account.
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login", "{\"email\":\"" + dave.email() + "\",\"password\":\"wrong-one-here\"}")
                .status()).isEqualTo(401);
        assertThat(admin.get("/v1/admin/users").text()).contains(dave.email());

        assertThat(admin.post("/v1/admin/users/" + dave.userId() + "/enable", "").status()).isEqualTo(204);
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login", login).status()).isEqualTo(200);
        assertThat(admin.post("/v1/admin/users/usr-0000000000000000000000001/disable", "").code()).isEqualTo("user_not_found");
        assertThat(admin.post("/v1/admin/users/nonsense/disable", "").code()).isEqualTo("user_not_found");
    }

    @Test
    void adminsSeeTheWholeAuditLogFailedLoginsIncluded() {
        Person target = wrenn.signup("Target");
        assertThat(wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + target.email() + "\",\"password\":\"not-the-right-one\"}").status()).isEqualTo(401);
        Http.Response all = admin.get("/v1/admin/audit-logs?action=POST%20/v1/auth/login&outcome=failure");
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        var entry = all.json().get("entries").get(0);
        assertThat(entry.get("status").intValue()).isEqualTo(401);
        assertThat(entry.get("team_id").isNull()).isTrue();
        assertThat(entry.get("client_address").stringValue()).isEqualTo("127.0.0.1");
        assertThat(admin.get("/v1/admin/audit-logs").text()).contains(target.teamId());
        // The person's own team log does not hold the teamless entry.
        assertThat(target.http().get("/v1/audit-logs?outcome=failure").json().get("entries")).isEmpty();
        assertThat(target.http().get("/v1/admin/audit-logs").status()).isEqualTo(403);
    }

    @Test
    void adminsCannotDisableThemselves() {
        String self = admin.get("/v1/me").json().get("user").get("id").stringValue();
        assertThat(admin.post("/v1/admin/users/" + self + "/disable", "").status()).isEqualTo(409);
        assertThat(admin.get("/v1/me").status()).isEqualTo(200);
    }

    private static void setAdmin(String email, boolean admin) throws Exception {
        try (Connection c = DriverManager.getConnection(wrenn.jdbcUrl, TestPostgres.user(), TestPostgres.password());
             var statement = c.prepareStatement("UPDATE users SET is_admin = ? WHERE email = ?")) {
            statement.setBoolean(1, admin);
            statement.setString(2, email);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }
}
