package io.wrenn.controlplane.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.testing.FakeHostAgent;
import io.wrenn.controlplane.testing.Http;
import io.wrenn.controlplane.testing.TestControlPlane;
import io.wrenn.controlplane.testing.TestPostgres;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    TestControlPlane wrenn;
    FakeHostAgent second;

    @BeforeEach
    void start() {
        wrenn = new TestControlPlane();
        second = new FakeHostAgent();
        wrenn.controlPlane.registerHost("second", second.address());
    }

    @AfterEach
    void stop() {
        wrenn.close();
        second.close();
    }

    private int create(String template) {
        return wrenn.http.post("/v1/sandboxes", "{\"template\":\"" + template + "\",\"memory_mb\":1024}").status();
    }

    @Test
    void spreadsSandboxesOverTheLeastLoadedHosts() {
        for (int i = 0; i < 4; i++) {
            assertThat(create("minimal")).isEqualTo(201);
        }
        assertThat(wrenn.agent.creates).hasSize(2);
        assertThat(second.creates).hasSize(2);
    }

    @Test
    void onlyHostsWithTheTemplatesImageQualify() {
        wrenn.agent.templates.remove("debian");
        for (int i = 0; i < 3; i++) {
            assertThat(create("debian")).isEqualTo(201);
        }
        assertThat(wrenn.agent.creates).isEmpty();
        assertThat(second.creates).hasSize(3);
    }

    @Test
    void hostsThatDoNotAnswerAreSkipped() {
        second.down = true;
        for (int i = 0; i < 3; i++) {
            assertThat(create("minimal")).isEqualTo(201);
        }
        assertThat(wrenn.agent.creates).hasSize(3);
    }

    @Test
    void aTemplateNoHostHasIs503() {
        try (Database db = Database.open(wrenn.jdbcUrl, TestPostgres.user(), io.wrenn.controlplane.testing.TestPostgres.password())) {
            db.jdbi().useHandle(h -> h.createUpdate("""
                            INSERT INTO templates (id, team_id, name, type, vcpus, memory_mb)
                            SELECT :id, team_id, 'custom', 'image', 1, 512 FROM api_keys""")
                    .bind("id", UUID.randomUUID()).execute());
        }
        Http.Response response = wrenn.http.post("/v1/sandboxes", "{\"template\":\"custom\"}");
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.code()).isEqualTo("no_host_available");
        // Another team cannot even see it.
        Http other = wrenn.http.withKey(wrenn.controlPlane.createTeamApiKey("other"));
        assertThat(other.post("/v1/sandboxes", "{\"template\":\"custom\"}").code()).isEqualTo("template_not_found");
    }

    @Test
    void aSnapshotsSandboxesGoToItsHostWithoutAskingTheOthers() {
        second.down = true;
        Http.Response source = wrenn.http.post("/v1/sandboxes", "{\"template\":\"minimal\",\"memory_mb\":1024}");
        assertThat(source.status()).isEqualTo(201);
        Http.Response snapshot = wrenn.http.post("/v1/snapshots",
                "{\"sandbox_id\":\"" + source.json().get("id").asString() + "\",\"name\":\"snap\"}");
        assertThat(snapshot.status()).as(snapshot.text()).isEqualTo(201);
        // The second host is now the least loaded and answers, but the snapshot's files are on the first.
        second.down = false;
        for (int i = 0; i < 2; i++) {
            assertThat(create("snap")).isEqualTo(201);
        }
        assertThat(wrenn.agent.creates).hasSize(3);
        assertThat(second.creates).isEmpty();
    }
}
