package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class SandboxApiTest {

    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();
    static final Http http = wrenn.http;

    static String create(String body) {
        Http.Response response = http.post("/v1/sandboxes", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").stringValue();
    }

    @Test
    void createGetListDelete() {
        Http.Response created = http.post("/v1/sandboxes",
                "{\"template\":\"minimal\",\"vcpus\":2,\"memory_mb\":256,\"env\":{\"TOKEN\":\"s3cret\"},\"metadata\":{\"owner\":\"me\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode sandbox = created.json();
        String id = sandbox.get("id").stringValue();
        assertThat(id).matches("sb-[0-9a-z]{25}");
        assertThat(sandbox.get("status").stringValue()).isEqualTo("running");
        assertThat(sandbox.get("template").stringValue()).isEqualTo("minimal");
        assertThat(sandbox.get("vcpus").intValue()).isEqualTo(2);
        assertThat(sandbox.get("memory_mb").intValue()).isEqualTo(256);
        assertThat(sandbox.get("disk_size_mb").intValue()).isEqualTo(5120);
        assertThat(sandbox.get("timeout_s").intValue()).isEqualTo(300);
        assertThat(sandbox.get("metadata").get("owner").stringValue()).isEqualTo("me");
        assertThat(sandbox.get("env_keys").get(0).stringValue()).isEqualTo("TOKEN");
        assertThat(created.text()).doesNotContain("s3cret");
        assertThat(sandbox.get("created_at").stringValue()).isNotEmpty();
        assertThat(sandbox.get("expires_at").stringValue()).isNotEmpty();
        assertThat(wrenn.agent.creates.getLast().getEnvMap()).containsEntry("TOKEN", "s3cret");
        assertThat(wrenn.agent.creates.getLast().getTemplateTeamId()).isEqualTo("00000000-0000-0000-0000-000000000000");

        Http.Response got = http.get("/v1/sandboxes/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("id").stringValue()).isEqualTo(id);

        assertThat(ids(http.get("/v1/sandboxes"))).contains(id);

        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(wrenn.agent.destroyed).contains(wrenn.agent.creates.getLast().getSandboxId());
        JsonNode stopped = http.get("/v1/sandboxes/" + id).json();
        assertThat(stopped.get("status").stringValue()).isEqualTo("stopped");
        assertThat(stopped.get("stopped_at").stringValue()).isNotEmpty();
        assertThat(ids(http.get("/v1/sandboxes"))).doesNotContain(id);
        assertThat(ids(http.get("/v1/sandboxes?status=stopped"))).contains(id);
        assertThat(ids(http.get("/v1/sandboxes?status=all"))).contains(id);
        // Deleting again is idempotent.
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
    }

    static java.util.List<String> ids(Http.Response list) {
        assertThat(list.status()).isEqualTo(200);
        java.util.List<String> ids = new java.util.ArrayList<>();
        list.json().get("sandboxes").forEach(s -> ids.add(s.get("id").stringValue()));
        return ids;
    }

    @Test
    void authIsRequired() {
        Http.Response missing = http.withKey(null).get("/v1/sandboxes");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.code()).isEqualTo("unauthorized");
        Http.Response wrong = http.withKey("wrn_000000000000000000000000000000000000000000000000").post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.code()).isEqualTo("unauthorized");
        assertThat(http.withKey(null).get("/health").status()).isEqualTo(200);
    }

    @Test
    void anotherTeamsSandboxIsNotFound() {
        String id = create("{\"template\":\"minimal\"}");
        Http other = http.withKey(wrenn.controlPlane.createTeamApiKey("other"));
        assertThat(other.get("/v1/sandboxes/" + id).status()).isEqualTo(404);
        assertThat(other.get("/v1/sandboxes/" + id).code()).isEqualTo("sandbox_not_found");
        assertThat(other.delete("/v1/sandboxes/" + id).status()).isEqualTo(404);
        assertThat(other.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\"}").status()).isEqualTo(404);
        assertThat(other.get("/v1/sandboxes/" + id + "/files?path=/x").status()).isEqualTo(404);
        assertThat(ids(other.get("/v1/sandboxes?status=all"))).isEmpty();
        assertThat(http.get("/v1/sandboxes/" + id).json().get("status").stringValue()).isEqualTo("running");
    }

    @Test
    void badCreateRequestsAreRejectedAndCreateNothing() {
        int before = wrenn.agent.creates.size();
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"vcpus\":0}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"vcpus\":9}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"memory_mb\":1}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"disk_size_mb\":999999}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"timeout_s\":0}");
        expect(400, "invalid_json", "{\"template\":");
        expect(400, "invalid_json", "[1,2]");
        expect(400, "invalid_json", "{\"template\":\"minimal\"} trailing");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"colour\":\"blue\"}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"vcpus\":\"2\"}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"vcpus\":1.5}");
        expect(400, "invalid_request", "{\"template\":7}");
        expect(400, "invalid_request", "{}");
        expect(400, "invalid_request", "{\"template\":\"../etc\"}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"env\":{\"A\":1}}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"env\":{\"1A\":\"x\"}}");
        expect(400, "invalid_request", "{\"template\":\"minimal\",\"metadata\":[]}");
        expect(404, "template_not_found", "{\"template\":\"nope\"}");
        assertThat(wrenn.agent.creates).hasSize(before);
    }

    private static void expect(int status, String code, String body) {
        Http.Response response = http.post("/v1/sandboxes", body);
        assertThat(response.status()).as(body + " → " + response).isEqualTo(status);
        assertThat(response.code()).as(body).isEqualTo(code);
        assertThat(response.json().get("message").stringValue()).isNotBlank();
    }

    @Test
    void unknownSandboxIsNotFound() {
        for (String id : new String[] {"sb-0000000000000000000000000", "sb-zzzzzzzzzzzzzzzzzzzzzzzzz", "nonsense", "sb-", "tpl-0000000000000000000000000"}) {
            Http.Response response = http.get("/v1/sandboxes/" + id);
            assertThat(response.status()).as(id).isEqualTo(404);
            assertThat(response.code()).isEqualTo("sandbox_not_found");
        }
        assertThat(http.delete("/v1/sandboxes/sb-0000000000000000000000000").status()).isEqualTo(404);
        assertThat(http.get("/v1/nothing-here").code()).isEqualTo("not_found");
    }

    @Test
    void failedCreateLeavesAnErrorRow() {
        wrenn.agent.failCreate = io.grpc.Status.RESOURCE_EXHAUSTED.withDescription("no memory left");
        try {
            Http.Response response = http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.code()).isEqualTo("no_host_available");
        } finally {
            wrenn.agent.failCreate = null;
        }
        JsonNode errored = http.get("/v1/sandboxes?status=error").json().get("sandboxes").get(0);
        assertThat(errored.get("status").stringValue()).isEqualTo("error");
        assertThat(errored.get("status_reason").stringValue()).contains("no memory left");
    }

    @Test
    void execRunsTheProgramWithItsEnvAndCwd() {
        String id = create("{\"template\":\"minimal\"}");
        Http.Response response = http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\",\"args\":[\"hello\"]}");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode result = response.json();
        assertThat(result.get("stdout").stringValue()).isEqualTo("hello\n");
        assertThat(result.get("stderr").stringValue()).isEmpty();
        assertThat(result.get("exit_code").intValue()).isZero();
        assertThat(result.get("truncated").booleanValue()).isFalse();
        assertThat(result.get("timed_out").booleanValue()).isFalse();
        assertThat(result.get("encoding").stringValue()).isEqualTo("utf-8");
        assertThat(result.get("duration_ms").isIntegralNumber()).isTrue();

        assertThat(exec(id, "{\"cmd\":\"exit\",\"args\":[\"3\"]}").get("exit_code").intValue()).isEqualTo(3);
        assertThat(exec(id, "{\"cmd\":\"env\",\"args\":[\"FOO\"],\"env\":{\"FOO\":\"bar\"}}").get("stdout").stringValue()).isEqualTo("bar");
        assertThat(exec(id, "{\"cmd\":\"pwd\",\"cwd\":\"/tmp\"}").get("stdout").stringValue()).isEqualTo("/tmp");
        JsonNode timedOut = exec(id, "{\"cmd\":\"sleep\",\"timeout_s\":1}");
        assertThat(timedOut.get("timed_out").booleanValue()).isTrue();
        assertThat(wrenn.agent.execs.getLast().getTimeoutS()).isEqualTo(1);
        JsonNode missing = exec(id, "{\"cmd\":\"no-such-program\"}");
        assertThat(missing.get("error").stringValue()).isEqualTo("executable not found");
    }

    @Test
    void execOutputIsTruncatedAtTheLimit() {
        String id = create("{\"template\":\"minimal\"}");
        JsonNode result = exec(id, "{\"cmd\":\"spew\",\"args\":[\"3000000\"]}");
        assertThat(result.get("truncated").booleanValue()).isTrue();
        assertThat(result.get("stdout").stringValue()).hasSize(1 << 20);
        assertThat(result.get("stderr").stringValue()).hasSize(1 << 20);
    }

    @Test
    void nonUtf8OutputIsBase64() {
        String id = create("{\"template\":\"minimal\"}");
        JsonNode result = exec(id, "{\"cmd\":\"binary\"}");
        assertThat(result.get("encoding").stringValue()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(result.get("stdout").stringValue())).containsExactly(0xff, 0, 0xfe);
        assertThat(result.get("stderr").stringValue()).isEmpty();
    }

    @Test
    void badExecRequestsAreRejected() {
        String id = create("{\"template\":\"minimal\"}");
        for (String body : new String[] {"{}", "{\"cmd\":\"\"}", "{\"cmd\":\"echo\",\"args\":\"x\"}", "{\"cmd\":\"echo\",\"cwd\":\"tmp\"}",
                "{\"cmd\":\"echo\",\"cwd\":\"/a/../b\"}", "{\"cmd\":\"echo\",\"timeout_s\":0}", "{\"cmd\":\"echo\",\"user\":\"Robert'); DROP\"}",
                "{\"cmd\":\"echo\",\"shell\":true}"}) {
            Http.Response response = http.post("/v1/sandboxes/" + id + "/exec", body);
            assertThat(response.status()).as(body + " → " + response).isEqualTo(400);
        }
    }

    @Test
    void wrongStateIsConflict() {
        String id = create("{\"template\":\"minimal\"}");
        assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        Http.Response exec = http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\"}");
        assertThat(exec.status()).isEqualTo(409);
        assertThat(exec.code()).isEqualTo("invalid_state");
        assertThat(http.put("/v1/sandboxes/" + id + "/files?path=/a", new byte[] {1}).status()).isEqualTo(409);
        assertThat(http.get("/v1/sandboxes/" + id + "/files?path=/a").status()).isEqualTo(409);
    }

    @Test
    void filesStreamBothWays() {
        String id = create("{\"template\":\"debian\"}");
        byte[] content = new byte[5 * 1024 * 1024 + 17];
        new Random(1).nextBytes(content);
        Http.Response written = http.put("/v1/sandboxes/" + id + "/files?path=/home/user/blob.bin", content);
        assertThat(written.status()).as(written.toString()).isEqualTo(200);
        assertThat(written.json().get("size").longValue()).isEqualTo(content.length);
        assertThat(wrenn.agent.largestWriteChunk).isLessThanOrEqualTo(64 * 1024);

        Http.Response read = http.get("/v1/sandboxes/" + id + "/files?path=/home/user/blob.bin");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.contentType()).startsWith("application/octet-stream");
        assertThat(read.body()).isEqualTo(content);

        Http.Response empty = http.put("/v1/sandboxes/" + id + "/files?path=/empty", new byte[0]);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(http.get("/v1/sandboxes/" + id + "/files?path=/empty").body()).isEmpty();

        Http.Response missing = http.get("/v1/sandboxes/" + id + "/files?path=/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("file_not_found");
    }

    @Test
    void badPathsAreRejected() {
        String id = create("{\"template\":\"minimal\"}");
        for (String path : new String[] {"relative/file", "/a/../etc/passwd", "/a/%00b", ""}) {
            Http.Response put = http.put("/v1/sandboxes/" + id + "/files?path=" + path, new byte[] {1});
            assertThat(put.status()).as(path + " → " + put).isEqualTo(400);
            assertThat(http.get("/v1/sandboxes/" + id + "/files?path=" + path).status()).as(path).isEqualTo(400);
        }
        assertThat(http.get("/v1/sandboxes/" + id + "/files").status()).isEqualTo(400);
    }

    @Test
    void curlStyleFormContentTypesStillWork() {
        // `curl -d` and `curl --data-binary` send application/x-www-form-urlencoded by default.
        Http.Response created = http.send("POST", "/v1/sandboxes", "application/x-www-form-urlencoded",
                "{\"template\":\"minimal\"}".getBytes());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").stringValue();
        Http.Response exec = http.send("POST", "/v1/sandboxes/" + id + "/exec", "application/x-www-form-urlencoded",
                "{\"cmd\":\"echo\",\"args\":[\"a=b&c\"]}".getBytes());
        assertThat(exec.json().get("stdout").stringValue()).isEqualTo("a=b&c\n");
        byte[] form = "x=1&y=2".getBytes();
        Http.Response put = http.send("PUT", "/v1/sandboxes/" + id + "/files?path=/f", "application/x-www-form-urlencoded", form);
        assertThat(put.status()).isEqualTo(200);
        assertThat(http.get("/v1/sandboxes/" + id + "/files?path=/f").body()).isEqualTo(form);
        Http.Response none = http.send("POST", "/v1/sandboxes/" + id + "/exec", null, "{\"cmd\":\"echo\"}".getBytes());
        assertThat(none.status()).isEqualTo(200);
    }

    @Test
    void deletingASandboxWhileItBootsLeavesNoVmBehind() throws Exception {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        wrenn.agent.createGate = gate;
        java.util.concurrent.CompletableFuture<Http.Response> creating;
        String id;
        try {
            creating = java.util.concurrent.CompletableFuture.supplyAsync(() -> http.post("/v1/sandboxes", "{\"template\":\"minimal\"}"));
            org.awaitility.Awaitility.await().until(() -> ids(http.get("/v1/sandboxes?status=starting")).size() == 1);
            id = ids(http.get("/v1/sandboxes?status=starting")).getFirst();
            assertThat(http.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
            assertThat(http.get("/v1/sandboxes/" + id).json().get("status").stringValue()).isEqualTo("stopped");
        } finally {
            wrenn.agent.createGate = null;
            gate.countDown();
        }
        Http.Response created = creating.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(created.status()).isEqualTo(409);
        assertThat(created.code()).isEqualTo("invalid_state");
        assertThat(wrenn.agent.sandboxes).doesNotContainKey(io.wrenn.controlplane.ids.WireId.SANDBOX.decode(id).orElseThrow().toString());
        assertThat(http.get("/v1/sandboxes/" + id).json().get("status").stringValue()).isEqualTo("stopped");
    }

    @Test
    void listRejectsUnknownStatus() {
        Http.Response response = http.get("/v1/sandboxes?status=sleeping");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.code()).isEqualTo("invalid_request");
    }

    private static JsonNode exec(String id, String body) {
        Http.Response response = http.post("/v1/sandboxes/" + id + "/exec", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }
}
