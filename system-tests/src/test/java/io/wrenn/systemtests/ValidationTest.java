package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;

/** Bad input gets a clear 4xx {code, message} and creates nothing. No VM is booted here. */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class ValidationTest {
    private WrennFixture wrenn;
    private WrennClient api;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    private void assertRejected(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().get("code").asString()).matches("[a-z][a-z_]*");
        assertThat(response.json().get("message").asString()).isNotBlank()
                .doesNotContain("Exception").doesNotContain("/root").doesNotContain("\tat ");
        assertThat(api.get("/v1/sandboxes?status=all").json().findValuesAsString("id")).isEmpty();
        assertThat(wrenn.runningVmCount()).isZero();
    }

    @Test
    void missingOrWrongApiKeyIs401() {
        assertRejected(api.withKey(null).get("/v1/sandboxes"), 401);
        assertRejected(api.withKey("wrn_notarealkey000000000000000000").post("/v1/sandboxes",
                Map.of("template", "minimal")), 401);
    }

    @Test
    void unknownTemplateIs404() {
        assertRejected(api.post("/v1/sandboxes", Map.of("template", "no-such-template")), 404);
    }

    @Test
    void outOfRangeResourcesAre400() {
        assertRejected(api.post("/v1/sandboxes", Map.of("template", "minimal", "vcpus", 0)), 400);
        assertRejected(api.post("/v1/sandboxes", Map.of("template", "minimal", "memory_mb", 1)), 400);
        assertRejected(api.post("/v1/sandboxes", Map.of("template", "minimal", "disk_size_mb", 10_000_000)), 400);
        assertRejected(api.post("/v1/sandboxes", Map.of("template", "minimal", "timeout_s", -1)), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{",
        "[]",
        "{\"template\": 7}",
        "{\"template\": \"minimal\", \"vcpus\": \"two\"}",
        "{\"template\": \"minimal\", \"env\": [\"A=1\"]}",
        "{\"template\": \"minimal\", \"metadata\": {\"k\": {\"nested\": true}}}",
        "{\"template\": \"minimal\", \"no_such_field\": 1}",
        "{}",
    })
    void malformedBodiesAre400(String body) {
        assertRejected(api.postRaw("/v1/sandboxes", body), 400);
    }

    @Test
    void unknownSandboxIs404() {
        assertRejected(api.get("/v1/sandboxes/sb-doesnotexist"), 404);
        assertRejected(api.get("/v1/sandboxes/not-an-id"), 404);
        assertRejected(api.delete("/v1/sandboxes/sb-0"), 404);
        assertRejected(api.post("/v1/sandboxes/sb-1/exec", Map.of("cmd", "true")), 404);
    }

    @Test
    void healthAndSpecArePublic() {
        assertThat(api.withKey(null).get("/health").status()).isEqualTo(200);
        Response spec = api.withKey(null).get("/openapi.yaml");
        assertThat(spec.status()).isEqualTo(200);
        assertThat(spec.text()).contains("openapi: 3.1").contains("/v1/sandboxes/{id}/exec");
        assertThat(api.withKey(null).get("/docs").status()).isEqualTo(200);
    }
}
