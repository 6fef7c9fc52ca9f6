package io.wrenn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HomeFilesTest {

    @Test
    void buildsTheDocumentedPaths() {
        HomeFiles files = new HomeFiles(Path.of("/var/wrenn/./"));

        assertThat(files.postgresDir()).isEqualTo(Path.of("/var/wrenn/postgres"));
        assertThat(files.apiKeyFile()).isEqualTo(Path.of("/var/wrenn/api-key"));
        assertThat(files.adminPasswordFile()).isEqualTo(Path.of("/var/wrenn/admin-password"));
        assertThat(files.agentSecretFile()).isEqualTo(Path.of("/var/wrenn/agent-secret"));
        assertThat(files.buildFilesDir()).isEqualTo(Path.of("/var/wrenn/build-files"));
        assertThat(files.metricsTokenFile()).isEqualTo(Path.of("/var/wrenn/metrics-token"));
    }
}
