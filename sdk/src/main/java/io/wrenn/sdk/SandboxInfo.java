package io.wrenn.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the server knows of a sandbox at the moment it was asked.
 *
 * @param id           {@code sb-…}
 * @param status       its status
 * @param statusReason why it is in that status (e.g. {@code timeout}), or null
 * @param template     the template's name
 * @param vcpus        virtual CPUs
 * @param memoryMb     memory in MiB
 * @param diskSizeMb   disk in MiB
 * @param timeout      time from creation or resume until its {@code onTimeout} applies
 * @param onTimeout    what the timeout does
 * @param envKeys      names of the environment variables given at creation (values are never shown)
 * @param metadata     the labels given at creation
 * @param createdAt    when it was created
 * @param expiresAt    when its timeout applies, or null (paused, stopped)
 */
public record SandboxInfo(String id, SandboxStatus status, String statusReason, String template, int vcpus,
                          int memoryMb, int diskSizeMb, Duration timeout, OnTimeout onTimeout, List<String> envKeys,
                          Map<String, String> metadata, Instant createdAt, Instant expiresAt) {
    public SandboxInfo {
        envKeys = List.copyOf(envKeys);
        metadata = Map.copyOf(metadata);
    }
}
