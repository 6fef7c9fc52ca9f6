package io.wrenn.sdk;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to create a sandbox: a template and, optionally, sizes, a timeout, environment and
 * labels. Anything left out comes from the template and the server's defaults. Immutable;
 * build one with {@link #builder(String)}:
 *
 * <pre>{@code
 * SandboxSpec spec = SandboxSpec.builder("debian")
 *         .memoryMb(1024)
 *         .timeout(Duration.ofMinutes(10))
 *         .env("MODE", "test")
 *         .metadata("job", "42")
 *         .network(NetworkPolicy.builder().denyOut("203.0.113.0/24").build())
 *         .build();
 * }</pre>
 *
 * @param template   the template's name (the team's own or a platform one such as {@code minimal})
 * @param vcpus      virtual CPUs, or null for the template's
 * @param memoryMb   memory in MiB, or null for the template's
 * @param diskSizeMb disk in MiB, or null for the default
 * @param timeout    time until {@code onTimeout} applies, or null for the default (5 minutes)
 * @param onTimeout  what the timeout does, or null for {@link OnTimeout#DESTROY}
 * @param env        default environment of every process
 * @param metadata   free-form labels
 * @param network    its network settings, or null for the server's defaults
 */
public record SandboxSpec(String template, Integer vcpus, Integer memoryMb, Integer diskSizeMb, Duration timeout,
                          OnTimeout onTimeout, Map<String, String> env, Map<String, String> metadata,
                          NetworkPolicy network) {
    public SandboxSpec {
        Objects.requireNonNull(template, "template");
        env = Map.copyOf(env);
        metadata = Map.copyOf(metadata);
    }

    /**
     * @param template the template's name
     * @return a builder of a spec for that template
     */
    public static Builder builder(String template) {
        return new Builder(template);
    }

    /**
     * @param template the template's name
     * @return a spec with nothing but the template
     */
    public static SandboxSpec of(String template) {
        return builder(template).build();
    }

    /** Builds a {@link SandboxSpec}; not thread-safe. */
    public static final class Builder {
        private final String template;
        private Integer vcpus;
        private Integer memoryMb;
        private Integer diskSizeMb;
        private Duration timeout;
        private OnTimeout onTimeout;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private NetworkPolicy network;

        private Builder(String template) {
            this.template = Objects.requireNonNull(template, "template");
        }

        /** Virtual CPUs (1–8); a snapshot's are fixed. */
        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        /** Memory in MiB (128–16384); a snapshot's is fixed. */
        public Builder memoryMb(int memoryMb) {
            this.memoryMb = memoryMb;
            return this;
        }

        /** Disk in MiB (512–51200). */
        public Builder diskSizeMb(int diskSizeMb) {
            this.diskSizeMb = diskSizeMb;
            return this;
        }

        /** Time from creation (or resume) until {@link #onTimeout} applies: whole seconds, 1 s to 24 h. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** What the timeout does to the sandbox. */
        public Builder onTimeout(OnTimeout onTimeout) {
            this.onTimeout = Objects.requireNonNull(onTimeout, "onTimeout");
            return this;
        }

        /** One default environment variable of every process; its value is never shown again. */
        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Default environment variables of every process. */
        public Builder env(Map<String, String> variables) {
            variables.forEach(this::env);
            return this;
        }

        /** One label, returned as given in {@link SandboxInfo#metadata()}. */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Labels, returned as given. */
        public Builder metadata(Map<String, String> labels) {
            labels.forEach(this::metadata);
            return this;
        }

        /** Its network settings (egress lists, internet access, public ports); changeable later with {@link Sandbox#network()}. */
        public Builder network(NetworkPolicy network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /** The spec. */
        public SandboxSpec build() {
            return new SandboxSpec(template, vcpus, memoryMb, diskSizeMb, timeout, onTimeout, env, metadata, network);
        }
    }
}
