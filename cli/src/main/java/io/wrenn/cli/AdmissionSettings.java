package io.wrenn.cli;

import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.account.SignupPolicy;
import io.wrenn.controlplane.host.Capacity;
import io.wrenn.controlplane.team.TeamQuota;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Host budgets, team quotas, paused retention, sign-up rules and the lifetime of signed URLs from the environment
 * ({@code WRENN_*}); what is not set keeps its default (README, "Limits, quotas and sign-up").
 */
final class AdmissionSettings {

    private AdmissionSettings() {
    }

    static ControlPlaneConfig.Builder apply(ControlPlaneConfig.Builder config, Map<String, String> env) {
        Capacity c = Capacity.defaults();
        config.capacity(new Capacity(
                longOf(env, "WRENN_HOST_RESERVED_MEMORY_MB", c.reservedMemoryMb()),
                doubleOf(env, "WRENN_MEMORY_OVERCOMMIT", c.memoryOvercommit()),
                doubleOf(env, "WRENN_VCPU_OVERCOMMIT", c.vcpuOvercommit()),
                longOf(env, "WRENN_HOST_RESERVED_DISK_MB", c.reservedDiskMb()),
                doubleOf(env, "WRENN_DISK_OVERCOMMIT", c.diskOvercommit()),
                (int) longOf(env, "WRENN_STARTS_PER_HOST", c.startsPerHost()),
                Duration.ofSeconds(longOf(env, "WRENN_START_QUEUE_WAIT_S", c.startQueueWait().toSeconds()))));
        TeamQuota q = TeamQuota.defaults();
        config.defaultQuota(new TeamQuota(
                (int) longOf(env, "WRENN_QUOTA_RUNNING", q.maxRunning()),
                (int) longOf(env, "WRENN_QUOTA_PAUSED", q.maxPaused()),
                longOf(env, "WRENN_QUOTA_DISK_MB", q.maxDiskMb()),
                (int) longOf(env, "WRENN_QUOTA_BUILDS", q.maxConcurrentBuilds())));
        // 0 keeps paused sandboxes until they are deleted.
        config.pausedRetention(Duration.ofDays(longOf(env, "WRENN_PAUSED_RETENTION_DAYS", 30)));
        // Unset or 0: signed /files URLs need no expiry (E2B's SDKs sign without one by default).
        config.signedUrlLifetime(new io.wrenn.controlplane.e2b.SignedUrlLifetime(
                Duration.ofSeconds(longOf(env, "WRENN_SIGNED_URL_MAX_S", 0))));
        SignupPolicy s = SignupPolicy.defaults();
        String mode = env.getOrDefault("WRENN_SIGNUP", "open").strip().toUpperCase(Locale.ROOT);
        List<String> domains = Arrays.stream(env.getOrDefault("WRENN_SIGNUP_DOMAINS", "").split(","))
                .map(String::strip).filter(d -> !d.isEmpty()).toList();
        SignupPolicy.Mode chosen;
        try {
            chosen = SignupPolicy.Mode.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("WRENN_SIGNUP must be open, closed, domains or invitations, not '" + mode.toLowerCase(Locale.ROOT) + "'");
        }
        config.signup(new SignupPolicy(chosen, domains,
                (int) longOf(env, "WRENN_SIGNUPS_PER_ADDRESS_PER_HOUR", s.perAddressPerHour()),
                (int) longOf(env, "WRENN_KEYS_PER_USER_PER_HOUR", s.keysPerUserPerHour())));
        return config;
    }

    private static long longOf(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    private static double doubleOf(Map<String, String> env, String name, double fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
    }
}
