package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennClient.Response;
import io.wrenn.testkit.WrennFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import tools.jackson.databind.JsonNode;

/**
 * An image template of a running sandbox's disk through the REST API, with real VMs: the
 * source runs on; the image boots cold with another machine and a smaller disk, with the
 * source's files and the template's defaults; it is deleted once unused.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class ImageTemplateTest {
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

    @Test
    void aDiskImageKeepsTheFilesBootsAtAnySizeAndGivesItsDefaults() {
        String source = api.createSandbox(Map.of("template", "minimal", "env", Map.of("SECRET", "of-the-source")))
                .get("id").asString();
        assertThat(api.exec(source, "sh", "-c", "echo made-in-the-source > /home/user/kept").get("exit_code").asInt()).isZero();

        Response made = api.post("/v1/snapshots", Map.of("sandbox_id", source, "name", "disk-image", "type", "image",
                "default_workdir", "/tmp", "default_env", Map.of("MODE", "from-the-template")));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        JsonNode image = made.json();
        assertThat(image.get("type").asString()).isEqualTo("image");
        assertThat(image.get("default_user").asString()).isEqualTo("user");
        assertThat(image.get("default_workdir").asString()).isEqualTo("/tmp");
        assertThat(image.get("default_env_keys").toString()).isEqualTo("[\"MODE\"]");
        int leastDisk = image.get("disk_size_mb").asInt();
        assertThat(leastDisk).isBetween(64, 1024);
        assertThat(api.exec(source, "echo", "still running").get("stdout").asString()).isEqualTo("still running\n");

        JsonNode clone = api.createSandbox(Map.of("template", "disk-image", "memory_mb", 384, "disk_size_mb", leastDisk + 512));
        String id = clone.get("id").asString();
        assertThat(clone.get("memory_mb").asInt()).isEqualTo(384);
        JsonNode inside = api.exec(id, "sh", "-c", "cat /home/user/kept; pwd; echo \"$MODE|$SECRET\"; df -m / | awk 'NR==2 {print $2}'");
        String[] lines = inside.get("stdout").asString().split("\n");
        assertThat(lines[0]).isEqualTo("made-in-the-source");
        assertThat(lines[1]).isEqualTo("/tmp");
        // the template's environment, never the source sandbox's own
        assertThat(lines[2]).isEqualTo("from-the-template|");
        assertThat(Integer.parseInt(lines[3])).isGreaterThan(leastDisk);

        assertThat(api.delete("/v1/snapshots/disk-image").status()).isEqualTo(409);
        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(api.delete("/v1/sandboxes/" + source).status()).isEqualTo(204);
        assertThat(api.delete("/v1/snapshots/disk-image").status()).isEqualTo(204);
        assertThat(api.get("/v1/snapshots/disk-image").status()).isEqualTo(404);
    }
}
