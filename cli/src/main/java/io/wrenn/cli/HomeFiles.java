package io.wrenn.cli;

import java.nio.file.Path;

/**
 * The files of an all-in-one Wrenn ({@code wrenn up}) that are not the host agent's: its
 * embedded database, the bootstrap secrets and the control plane's build archives, beside the
 * agent's own under the same {@code WRENN_HOME} (whose paths only the agent's {@code Layout} builds).
 */
public record HomeFiles(Path home) {

    public HomeFiles {
        home = home.toAbsolutePath().normalize();
    }

    /** Embedded PostgreSQL's data directory. */
    public Path postgresDir() {
        return home.resolve("postgres");
    }

    /** The bootstrap API key (0600), written at first start. */
    public Path apiKeyFile() {
        return home.resolve("api-key");
    }

    /** The bootstrap admin's email and generated password (0600), written at first start. */
    public Path adminPasswordFile() {
        return home.resolve("admin-password");
    }

    /** The secret the control plane and the host agents of this home share (0600). */
    public Path agentSecretFile() {
        return home.resolve("agent-secret");
    }

    /** Archives uploaded for template builds (the control plane's), by team and hash. */
    public Path buildFilesDir() {
        return home.resolve("build-files");
    }

    /** The operator's bearer token for the Prometheus endpoints (0600), written at first start. */
    public Path metricsTokenFile() {
        return home.resolve("metrics-token");
    }
}
