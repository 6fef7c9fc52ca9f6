package io.wrenn.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestControlPlane.Person;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Platform admins contain a tenant: quotas, suspension, stopping any sandbox, disabling a person. */
class ContainmentAndQuotaTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static Http admin;

    @BeforeAll
    static void logIn() {
        Http.Response login = wrenn.http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}");
        admin = wrenn.http.withToken(login.json().get("token").stringValue());
    }

    private static String create(Http as) {
        Http.Response created = as.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    private static String unknownTeam() {
        return WireId.TEAM.encode(java.util.UUID.randomUUID());
    }

    private static String status(String sandbox) {
        var found = admin.get("/v1/admin/sandboxes?status=all").json().get("sandboxes");
        for (var s : found) {
            if (s.get("id").stringValue().equals(sandbox)) {
                return s.get("status").stringValue();
            }
        }
        return admin.get("/v1/admin/sandboxes").text();
    }

    @Test
    void adminsSetATeamsQuotaAndTheTeamIsRefusedBeyondIt() {
        Person alice = wrenn.signup("Alice");
        String quota = "/v1/admin/teams/" + alice.teamId() + "/quota";
        assertThat(admin.get(quota).json().get("max_running").intValue()).isEqualTo(20); // the configured default
        Http.Response set = admin.send("PUT", quota, "application/json",
                "{\"max_running\":1,\"max_paused\":0,\"max_concurrent_builds\":0}".getBytes());
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.json().get("max_running").intValue()).isEqualTo(1);

        String first = create(alice.http());
        Http.Response second = alice.http().post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.code()).isEqualTo("quota_exceeded");
        assertThat(second.header("Retry-After")).isNotBlank();

        Http.Response pause = alice.http().post("/v1/sandboxes/" + first + "/pause", "");
        assertThat(pause.code()).as(pause.toString()).isEqualTo("quota_exceeded");
        assertThat(status(first)).isEqualTo("running");

        Http.Response build = alice.http().post("/v1/builds", "{\"name\":\"mine\",\"recipe\":\"FROM minimal\\nRUN true\"}");
        assertThat(build.code()).as(build.toString()).isEqualTo("quota_exceeded");

        // Unset fields fall back to the defaults; a paused sandbox no longer counts as running.
        admin.send("PUT", quota, "application/json", "{\"max_running\":1,\"max_disk_mb\":1000}".getBytes());
        assertThat(alice.http().post("/v1/sandboxes/" + first + "/pause", "").status()).isEqualTo(200);
        Http.Response tooBig = alice.http().post("/v1/sandboxes", "{\"template\":\"minimal\",\"disk_size_mb\":5120}");
        assertThat(tooBig.code()).as(tooBig.toString()).isEqualTo("quota_exceeded");
        var usage = admin.get(quota).json();
        assertThat(usage.get("usage").get("paused").intValue()).isEqualTo(1);
        assertThat(usage.get("usage").get("running").intValue()).isZero();

        // Bad input changes nothing.
        assertThat(admin.send("PUT", quota, "application/json", "{\"max_running\":-1}".getBytes()).status()).isEqualTo(400);
        assertThat(admin.send("PUT", quota, "application/json", "{\"bogus\":1}".getBytes()).status()).isEqualTo(400);
        assertThat(admin.get(quota).json().get("max_disk_mb").intValue()).isEqualTo(1000);
        assertThat(admin.get("/v1/admin/teams/" + unknownTeam() + "/quota").status()).isEqualTo(404);
        assertThat(alice.http().send("PUT", quota, "application/json", "{\"max_running\":99}".getBytes()).status()).isEqualTo(403);
    }

    @Test
    void aSuspendedTeamIsRefusedItsSandboxesPausedAndUnsuspendingRestoresAccess() {
        Person bob = wrenn.signup("Bob");
        String sandbox = create(bob.http());
        Http key = wrenn.http.withKey(bob.http().post("/v1/api-keys", "{\"name\":\"ci\"}").json().get("key").stringValue());
        assertThat(key.get("/v1/sandboxes").status()).isEqualTo(200);

        Http.Response suspended = admin.post("/v1/admin/teams/" + bob.teamId() + "/suspend", "{\"reason\":\"crypto mining\"}");
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        assertThat(suspended.json().get("sandboxes_paused").intValue()).isEqualTo(1);
        assertThat(status(sandbox)).isEqualTo("paused");

        Http.Response byKey = key.get("/v1/sandboxes");
        assertThat(byKey.status()).isEqualTo(403);
        assertThat(byKey.code()).isEqualTo("team_suspended");
        assertThat(bob.http().get("/v1/sandboxes").code()).isEqualTo("team_suspended");
        assertThat(key.post("/v1/sandboxes/" + sandbox + "/resume", "").code()).isEqualTo("team_suspended");
        assertThat(key.get("/e2b/sandboxes").status()).isEqualTo(403);
        assertThat(bob.http().get("/v1/me").status()).isEqualTo(200); // they may still see who they are

        assertThat(admin.post("/v1/admin/teams/" + bob.teamId() + "/unsuspend", "").status()).isEqualTo(204);
        assertThat(key.get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(key.post("/v1/sandboxes/" + sandbox + "/resume", "").status()).isEqualTo(200);
    }

    @Test
    void suspendingWithStopStopsEverySandbox() {
        Person carol = wrenn.signup("Carol");
        String running = create(carol.http());
        String paused = create(carol.http());
        assertThat(carol.http().post("/v1/sandboxes/" + paused + "/pause", "").status()).isEqualTo(200);
        Http.Response suspended = admin.post("/v1/admin/teams/" + carol.teamId() + "/suspend", "{\"sandboxes\":\"stop\"}");
        assertThat(suspended.json().get("sandboxes_stopped").intValue()).isEqualTo(2);
        assertThat(status(running)).isEqualTo("stopped");
        assertThat(status(paused)).isEqualTo("stopped");
        assertThat(admin.post("/v1/admin/teams/" + carol.teamId() + "/suspend", "{\"sandboxes\":\"explode\"}").status()).isEqualTo(400);
        assertThat(admin.post("/v1/admin/teams/" + unknownTeam() + "/suspend", "").status()).isEqualTo(404);
    }

    @Test
    void adminsStopAnySandbox() {
        Person dan = wrenn.signup("Dan");
        String sandbox = create(dan.http());
        assertThat(admin.delete("/v1/admin/sandboxes/" + sandbox).status()).isEqualTo(204);
        assertThat(status(sandbox)).isEqualTo("stopped");
        assertThat(wrenn.agent.destroyed).contains(WireId.SANDBOX.decode(sandbox).orElseThrow().toString());
        assertThat(dan.http().delete("/v1/admin/sandboxes/" + sandbox).status()).isEqualTo(403);
        assertThat(admin.delete("/v1/admin/sandboxes/sb-0000000000000000000000000").status()).isEqualTo(404);
    }

    @Test
    void disablingAPersonRevokesTheKeysTheyCreated() {
        Person erin = wrenn.signup("Erin");
        Http key = wrenn.http.withKey(erin.http().post("/v1/api-keys", "{\"name\":\"laptop\"}").json().get("key").stringValue());
        assertThat(key.get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(admin.post("/v1/admin/users/" + erin.userId() + "/disable", "").status()).isEqualTo(204);
        assertThat(key.get("/v1/sandboxes").status()).isEqualTo(401);
        assertThat(admin.post("/v1/admin/users/" + erin.userId() + "/enable", "").status()).isEqualTo(204);
        assertThat(key.get("/v1/sandboxes").status()).isEqualTo(401);
    }

    @Test
    void pausedSandboxesPastTheRetentionAreDeletedByTheReconcilerWhichSaysWhy() {
        try (TestControlPlane shortRetention = new TestControlPlane(config -> config.pausedRetention(Duration.ofMillis(1)))) {
            Http.Response created = shortRetention.http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
            String id = created.json().get("id").stringValue();
            String kept = shortRetention.http.post("/v1/sandboxes", "{\"template\":\"minimal\"}").json().get("id").stringValue();
            assertThat(shortRetention.http.post("/v1/sandboxes/" + id + "/pause", "").status()).isEqualTo(200);
            shortRetention.controlPlane.reconcile();
            var sandbox = shortRetention.http.get("/v1/sandboxes/" + id).json();
            assertThat(sandbox.get("status").stringValue()).isEqualTo("stopped");
            assertThat(sandbox.get("status_reason").stringValue()).startsWith("retention_expired");
            assertThat(shortRetention.agent.destroyed).containsExactly(WireId.SANDBOX.decode(id).orElseThrow().toString());
            assertThat(shortRetention.http.get("/v1/sandboxes/" + id + "/logs").text()).contains("retention_expired");
            // A running sandbox is not touched by the retention.
            assertThat(shortRetention.http.get("/v1/sandboxes/" + kept).json().get("status").stringValue()).isEqualTo("running");
        }
    }
}
