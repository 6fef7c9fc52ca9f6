package io.wrenn.envd.init;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code POST /init} sets for the whole sandbox: environment variables every process gets,
 * the default user and working directory, and the access token. Thread-safe.
 */
public final class SandboxDefaults {
    private final Map<String, String> envVars = new LinkedHashMap<>();
    private String defaultUser;
    private String defaultWorkdir;
    private volatile String accessToken;

    public synchronized Map<String, String> envVars() {
        return Map.copyOf(envVars);
    }

    /**
     * Replaces the whole environment: a sandbox restored from a snapshot must not keep the
     * variables its snapshot's creator had (the host sends everything the sandbox should have).
     */
    public synchronized void replaceEnvVars(Map<String, String> vars) {
        envVars.clear();
        envVars.putAll(vars);
    }

    public synchronized Optional<String> defaultUser() {
        return Optional.ofNullable(defaultUser);
    }

    public synchronized void setDefaultUser(String user) {
        this.defaultUser = user;
    }

    public synchronized Optional<String> defaultWorkdir() {
        return Optional.ofNullable(defaultWorkdir);
    }

    public synchronized void setDefaultWorkdir(String workdir) {
        this.defaultWorkdir = workdir;
    }

    public Optional<String> accessToken() {
        return Optional.ofNullable(accessToken);
    }

    public void setAccessToken(String token) {
        this.accessToken = token;
    }
}
