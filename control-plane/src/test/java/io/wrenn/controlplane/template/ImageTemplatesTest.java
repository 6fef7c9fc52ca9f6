package io.wrenn.controlplane.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Image templates made from a sandbox's disk through {@code POST /v1/snapshots} with
 * {@code type: image}, against a fake host: validation, the row and its view, the defaults,
 * listing, sizes of sandboxes made from it, deletion. (The real thing: system-tests.)
 */
class ImageTemplatesTest {

    TestControlPlane wrenn;
    Http http;
    String sandbox;

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
        http = wrenn.http;
        Http.Response created = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        sandbox = created.json().get("id").stringValue();
    }

    @AfterEach
    void stop() {
        wrenn.close();
    }

    private Http.Response image(String extra) {
        return http.post("/v1/snapshots", "{\"sandbox_id\":\"" + sandbox + "\",\"name\":\"img\",\"type\":\"image\"" + extra + "}");
    }

    @Test
    void anImageOfADiskCarriesItsDefaultsAndBootsAtAnyMachineSize() {
        Http.Response made = image(",\"default_workdir\":\"/srv\",\"default_env\":{\"MODE\":\"prod\",\"API_TOKEN\":\"s3cret\"}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        assertThat(made.json().get("type").stringValue()).isEqualTo("image");
        assertThat(made.json().get("default_user").stringValue()).isEqualTo("user");
        assertThat(made.json().get("default_workdir").stringValue()).isEqualTo("/srv");
        assertThat(made.json().get("default_env_keys").toString()).isEqualTo("[\"API_TOKEN\",\"MODE\"]");
        assertThat(made.toString()).doesNotContain("s3cret");
        assertThat(made.json().get("disk_size_mb").intValue()).isEqualTo(640);
        assertThat(http.get("/v1/snapshots").json().get("snapshots").findValuesAsString("name")).contains("img");
        assertThat(http.get("/v1/snapshots/img").json().get("type").stringValue()).isEqualTo("image");

        // any machine (a snapshot would pin its own), but not less disk than its compact filesystem
        Http.Response bigger = http.post("/v1/sandboxes", "{\"template\":\"img\",\"vcpus\":2,\"memory_mb\":1024}");
        assertThat(bigger.status()).as(bigger.toString()).isEqualTo(201);
        assertThat(bigger.json().get("vcpus").intValue()).isEqualTo(2);
        Http.Response tooSmall = http.post("/v1/sandboxes", "{\"template\":\"img\",\"disk_size_mb\":600}");
        assertThat(tooSmall.status()).isEqualTo(400);
        assertThat(tooSmall.toString()).contains("640");
        assertThat(http.post("/v1/sandboxes", "{\"template\":\"img\",\"disk_size_mb\":700}").status()).isEqualTo(201);

        // in use: kept; then gone
        assertThat(http.delete("/v1/snapshots/img").status()).isEqualTo(409);
        http.get("/v1/sandboxes").json().get("sandboxes").forEach(s -> http.delete("/v1/sandboxes/" + s.get("id").stringValue()));
        assertThat(http.delete("/v1/snapshots/img").status()).isEqualTo(204);
        assertThat(http.get("/v1/snapshots/img").status()).isEqualTo(404);
    }

    @Test
    void anAdminDeletesAnyTeamsMadeTemplateFromItsHostButNoBaseImage() {
        assertThat(image("").status()).isEqualTo(201);
        Http.Response login = http.withKey(null).post("/v1/auth/login",
                "{\"email\":\"" + io.wrenn.controlplane.auth.Bootstrap.ADMIN_EMAIL + "\",\"password\":\"" + wrenn.adminPassword + "\"}");
        Http admin = http.withToken(login.json().get("token").stringValue());
        var listed = admin.get("/v1/admin/templates?limit=1000").json().get("templates");
        String imageId = null;
        String minimalId = null;
        for (var row : listed) {
            if (row.get("name").stringValue().equals("img")) {
                imageId = row.get("id").stringValue();
            } else if (row.get("name").stringValue().equals("minimal")) {
                minimalId = row.get("id").stringValue();
            }
        }
        // an API key, even of the owning team, is not an admin
        assertThat(http.delete("/v1/admin/templates/" + imageId).status()).isEqualTo(403);
        Http.Response base = admin.delete("/v1/admin/templates/" + minimalId);
        assertThat(base.status()).isEqualTo(400);
        assertThat(base.toString()).contains("base image");
        assertThat(admin.delete("/v1/admin/templates/tpl-0000000000000000000000000").status()).isEqualTo(404);

        // in use by the team's sandbox: kept
        assertThat(http.post("/v1/sandboxes", "{\"template\":\"img\"}").status()).isEqualTo(201);
        assertThat(admin.delete("/v1/admin/templates/" + imageId).status()).isEqualTo(409);
        http.get("/v1/sandboxes").json().get("sandboxes").forEach(s -> http.delete("/v1/sandboxes/" + s.get("id").stringValue()));

        assertThat(admin.delete("/v1/admin/templates/" + imageId).status()).isEqualTo(204);
        assertThat(wrenn.agent.deletedTemplates).anyMatch(t -> t.endsWith("/img"));
        assertThat(http.get("/v1/snapshots/img").status()).isEqualTo(404);
        assertThat(admin.delete("/v1/admin/templates/" + imageId).status()).isEqualTo(404);
    }

    @Test
    void badImageRequestsAreRefusedAndMakeNothing() {
        for (String extra : new String[] {
                ",\"default_user\":\"Root!\"",
                ",\"default_workdir\":\"relative/dir\"",
                ",\"default_workdir\":\"/a/../etc\"",
                ",\"default_env\":{\"1BAD\":\"x\"}",
                ",\"default_env\":\"not an object\"",
                ",\"default_user\":\"\\u0000\""}) {
            Http.Response refused = image(extra);
            assertThat(refused.status()).as(extra).isEqualTo(400);
            assertThat(refused.code()).as(extra).isEqualTo("invalid_request");
        }
        Http.Response badType = http.post("/v1/snapshots", "{\"sandbox_id\":\"" + sandbox + "\",\"name\":\"img\",\"type\":\"vm\"}");
        assertThat(badType.status()).isEqualTo(400);
        Http.Response snapshotWithDefaults = http.post("/v1/snapshots",
                "{\"sandbox_id\":\"" + sandbox + "\",\"name\":\"img\",\"default_user\":\"user\"}");
        assertThat(snapshotWithDefaults.status()).isEqualTo(400);
        assertThat(snapshotWithDefaults.toString()).contains("type");
        assertThat(http.get("/v1/snapshots").json().get("snapshots").size()).isZero();
        assertThat(http.get("/v1/snapshots/img").status()).isEqualTo(404);
    }
}
