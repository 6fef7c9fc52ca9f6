package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.ControlPlaneConfig.Limits;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Configured limits: upload size, exec output, request bodies. */
class LimitsTest {

    static TestControlPlane wrenn;
    static String id;

    @BeforeAll
    static void start() {
        Limits d = Limits.defaults();
        Limits small = new Limits(d.minVcpus(), 2, d.defaultVcpus(), d.minMemoryMb(), 1024, d.defaultMemoryMb(),
                d.minDiskSizeMb(), 2048, 1024, 600, 60, 30, 10, 10, 1000, true);
        wrenn = new TestControlPlane(small);
        Http.Response created = wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode sandbox = created.json();
        id = sandbox.get("id").stringValue();
        assertThat(sandbox.get("disk_size_mb").intValue()).isEqualTo(1024);
        assertThat(sandbox.get("timeout_s").intValue()).isEqualTo(60);
    }

    @AfterAll
    static void stop() {
        wrenn.close();
    }

    @Test
    void configuredBoundsApply() {
        assertThat(wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"vcpus\":3}").status()).isEqualTo(400);
        assertThat(wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"memory_mb\":2048}").status()).isEqualTo(400);
        assertThat(wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"disk_size_mb\":4096}").status()).isEqualTo(400);
        assertThat(wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"timeout_s\":601}").status()).isEqualTo(400);
        assertThat(wrenn.http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\",\"timeout_s\":31}").status()).isEqualTo(400);
        assertThat(wrenn.http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\"}").status()).isEqualTo(200);
        assertThat(wrenn.agent.execs.getLast().getTimeoutS()).isEqualTo(10);
    }

    @Test
    void uploadsOverTheLimitAre413WithOrWithoutALength() {
        Http.Response declared = wrenn.http.put("/v1/sandboxes/" + id + "/files?path=/big", new byte[1001]);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.code()).isEqualTo("payload_too_large");

        Http.Response streamed = wrenn.http.send("PUT", "/v1/sandboxes/" + id + "/files?path=/big",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[5000])));
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(wrenn.agent.files.getOrDefault(wrenn.agent.creates.getFirst().getSandboxId(), java.util.Map.of())).doesNotContainKey("/big");

        assertThat(wrenn.http.put("/v1/sandboxes/" + id + "/files?path=/ok", new byte[1000]).status()).isEqualTo(200);
    }

    @Test
    void execOutputStopsAtTheLimitOnACharacterBoundary() {
        Http.Response response = wrenn.http.post("/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo\",\"args\":[\"ééééééé\"]}");
        JsonNode result = response.json();
        assertThat(result.get("truncated").booleanValue()).isTrue();
        assertThat(result.get("encoding").stringValue()).isEqualTo("utf-8");
        assertThat(result.get("stdout").stringValue()).isEqualTo("ééééé");
    }

    @Test
    void hugeJsonBodiesAre413() {
        String body = "{\"cmd\":\"echo\",\"args\":[\"" + "x".repeat(2 << 20) + "\"]}";
        Http.Response response = wrenn.http.post("/v1/sandboxes/" + id + "/exec", body);
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.code()).isEqualTo("payload_too_large");
    }
}
