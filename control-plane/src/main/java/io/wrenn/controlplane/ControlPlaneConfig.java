package io.wrenn.controlplane;

import io.wrenn.hostagent.protocol.Deadlines;
import static java.util.Objects.requireNonNull;

import io.wrenn.controlplane.oauth.OAuthProvider;
import java.time.Duration;
import java.util.List;

/**
 * Everything the control plane needs to start. Build one with {@link #builder()}; every field
 * but the database URL and the agent secret has a default.
 *
 * @param bindHost           address the REST server listens on
 * @param port               its port; 0 picks a free one ({@link ControlPlane#port()} tells which)
 * @param jdbcUrl            PostgreSQL, e.g. from the embedded database of `wrenn up`
 * @param agentSecret        shared secret sent to host agents as {@code authorization: Bearer …}
 * @param limits             bounds and defaults for sandboxes, exec and uploads
 * @param reconcileInterval  time between two reconciler passes
 * @param deadlines          how long each call to a host may take, and the reconciler's graces derived from them
 * @param trustedProxies     addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For}
 *                           is believed; empty (the default) believes no one and uses the TCP peer
 * @param tokenLifetime      how long a person's token is valid
 * @param oauthProviders     OAuth login providers ({@code /v1/auth/oauth/{name}/…}); none by default
 * @param buildFilesDir      where the archives of template builds are kept (they must survive a
 *                           restart); null = a temporary directory removed at {@link ControlPlane#close()}
 * @param buildsPerHost      template builds run at once per online host
 * @param sandboxDomain      the domain under which {@code {port}-{sandboxId}.<domain>} reaches a
 *                           sandbox's port through this control plane (a wildcard DNS name in front
 *                           of it); null: only the header route {@code /e2b/sandbox} exists
 * @param metricsToken       the bearer token {@code GET /metrics} (Prometheus) demands; empty: the
 *                           endpoint answers 404
 * @param capacity           per-host budgets (memory, disk, vCPUs, overcommit) and concurrent starts per host
 * @param defaultQuota       what a team may hold when admins have not set its quota
 * @param pausedRetention    how long a sandbox may stay paused before the reconciler deletes it; zero keeps it
 * @param signup             who may sign up, and the per-address and per-person limits on sign-ups and keys
 * @param signedUrlLifetime  how far ahead a signed {@code /files} URL may expire; zero demands no expiry (E2B's default)
 * @param mail               the SMTP server, sender and public URL for mailed links; null (the default):
 *                           no mail, so sign-ups get a session at once and stay unverified
 */
public record ControlPlaneConfig(
        String bindHost,
        int port,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        String agentSecret,
        Limits limits,
        Duration reconcileInterval,
        Deadlines deadlines,
        List<String> trustedProxies,
        Duration tokenLifetime,
        List<OAuthProvider> oauthProviders,
        java.nio.file.Path buildFilesDir,
        int buildsPerHost,
        String sandboxDomain,
        String metricsToken,
        io.wrenn.controlplane.host.Capacity capacity,
        io.wrenn.controlplane.team.TeamQuota defaultQuota,
        Duration pausedRetention,
        io.wrenn.controlplane.account.SignupPolicy signup,
        io.wrenn.controlplane.e2b.SignedUrlLifetime signedUrlLifetime,
        io.wrenn.controlplane.mail.MailSettings mail) {

    public ControlPlaneConfig {
        requireNonNull(bindHost, "bindHost is null");
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(agentSecret, "agentSecret is null");
        requireNonNull(limits, "limits is null");
        requireNonNull(reconcileInterval, "reconcileInterval is null");
        requireNonNull(deadlines, "deadlines is null");
        trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies is null"));
        requireNonNull(tokenLifetime, "tokenLifetime is null");
        oauthProviders = List.copyOf(requireNonNull(oauthProviders, "oauthProviders is null"));
        if (sandboxDomain != null && !sandboxDomain.matches("(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("not a domain name: " + sandboxDomain);
        }
        requireNonNull(capacity, "capacity is null");
        requireNonNull(defaultQuota, "defaultQuota is null");
        requireNonNull(signup, "signup is null");
        requireNonNull(signedUrlLifetime, "signedUrlLifetime is null");
        if (requireNonNull(pausedRetention, "pausedRetention is null").isNegative()) {
            throw new IllegalArgumentException("pausedRetention cannot be negative");
        }
        jdbcUser = jdbcUser == null ? "" : jdbcUser;
        metricsToken = metricsToken == null ? "" : metricsToken;
        jdbcPassword = jdbcPassword == null ? "" : jdbcPassword;
        if (buildsPerHost < 1) {
            throw new IllegalArgumentException("buildsPerHost must be at least 1: " + buildsPerHost);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Bounds and defaults applied to what callers ask for. Sizes in MiB, times in seconds.
     *
     * @param execOutputLimitBytes bytes of stdout and of stderr kept per exec; the rest is discarded
     * @param maxUploadBytes       largest file accepted by {@code PUT …/files}
     * @param defaultInternetAccess whether a sandbox that does not say reaches the internet
     */
    public record Limits(
            int minVcpus, int maxVcpus, int defaultVcpus,
            int minMemoryMb, int maxMemoryMb, int defaultMemoryMb,
            int minDiskSizeMb, int maxDiskSizeMb, int defaultDiskSizeMb,
            int maxTimeoutS, int defaultTimeoutS,
            int maxExecTimeoutS, int defaultExecTimeoutS,
            int execOutputLimitBytes,
            long maxUploadBytes,
            boolean defaultInternetAccess) {

        public static Limits defaults() {
            return new Limits(
                    1, 8, 1,
                    128, 16384, 512,
                    512, 51200, 5120,
                    86_400, 300,
                    3_600, 60,
                    1 << 20,
                    // Uploads stream through every component, so the limit guards guests' disks,
                    // not our memory: a few GiB are fine.
                    8L << 30,
                    // On, as E2B does: installing packages is the first thing most agents do.
                    true);
        }

        public Limits withDefaultInternetAccess(boolean value) {
            return new Limits(minVcpus, maxVcpus, defaultVcpus, minMemoryMb, maxMemoryMb, defaultMemoryMb, minDiskSizeMb,
                    maxDiskSizeMb, defaultDiskSizeMb, maxTimeoutS, defaultTimeoutS, maxExecTimeoutS, defaultExecTimeoutS,
                    execOutputLimitBytes, maxUploadBytes, value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder with defaults: loopback, port 8080, default limits, 5 s reconcile. */
    public static final class Builder {
        private String bindHost = "127.0.0.1";
        private int port = 8080;
        private String jdbcUrl;
        private String jdbcUser = "";
        private String jdbcPassword = "";
        private String agentSecret;
        private Limits limits = Limits.defaults();
        private Duration reconcileInterval = Duration.ofSeconds(5);
        private Deadlines deadlines = Deadlines.DEFAULTS;
        private List<String> trustedProxies = List.of();
        private Duration tokenLifetime = Duration.ofMinutes(15);
        private List<OAuthProvider> oauthProviders = List.of();
        private java.nio.file.Path buildFilesDir;
        private int buildsPerHost = 2;
        private String metricsToken = "";
        private String sandboxDomain;
        private io.wrenn.controlplane.host.Capacity capacity = io.wrenn.controlplane.host.Capacity.defaults();
        private io.wrenn.controlplane.team.TeamQuota defaultQuota = io.wrenn.controlplane.team.TeamQuota.defaults();
        // E2B kept paused sandboxes 30 days in its beta; the same here, an operator may change it.
        private Duration pausedRetention = Duration.ofDays(30);
        private io.wrenn.controlplane.account.SignupPolicy signup = io.wrenn.controlplane.account.SignupPolicy.defaults();
        private io.wrenn.controlplane.e2b.SignedUrlLifetime signedUrlLifetime = io.wrenn.controlplane.e2b.SignedUrlLifetime.UNBOUNDED;
        private io.wrenn.controlplane.mail.MailSettings mail;

        private Builder() {
        }

        public Builder bindHost(String bindHost) { this.bindHost = bindHost; return this; }
        public Builder port(int port) { this.port = port; return this; }
        public Builder jdbcUrl(String jdbcUrl) { this.jdbcUrl = jdbcUrl; return this; }
        public Builder jdbcUser(String jdbcUser) { this.jdbcUser = jdbcUser; return this; }
        public Builder jdbcPassword(String jdbcPassword) { this.jdbcPassword = jdbcPassword; return this; }
        public Builder agentSecret(String agentSecret) { this.agentSecret = agentSecret; return this; }
        public Builder limits(Limits limits) { this.limits = limits; return this; }
        public Builder reconcileInterval(Duration reconcileInterval) { this.reconcileInterval = reconcileInterval; return this; }
        public Builder deadlines(Deadlines deadlines) { this.deadlines = deadlines; return this; }
        public Builder trustedProxies(List<String> trustedProxies) { this.trustedProxies = trustedProxies; return this; }
        public Builder tokenLifetime(Duration tokenLifetime) { this.tokenLifetime = tokenLifetime; return this; }
        public Builder oauthProviders(List<OAuthProvider> oauthProviders) { this.oauthProviders = oauthProviders; return this; }
        public Builder buildFilesDir(java.nio.file.Path buildFilesDir) { this.buildFilesDir = buildFilesDir; return this; }
        public Builder buildsPerHost(int buildsPerHost) { this.buildsPerHost = buildsPerHost; return this; }
        public Builder sandboxDomain(String sandboxDomain) { this.sandboxDomain = sandboxDomain; return this; }
        public Builder metricsToken(String metricsToken) { this.metricsToken = metricsToken; return this; }
        public Builder capacity(io.wrenn.controlplane.host.Capacity capacity) { this.capacity = capacity; return this; }
        public Builder defaultQuota(io.wrenn.controlplane.team.TeamQuota defaultQuota) { this.defaultQuota = defaultQuota; return this; }
        public Builder pausedRetention(Duration pausedRetention) { this.pausedRetention = pausedRetention; return this; }
        public Builder signup(io.wrenn.controlplane.account.SignupPolicy signup) { this.signup = signup; return this; }
        public Builder signedUrlLifetime(io.wrenn.controlplane.e2b.SignedUrlLifetime signedUrlLifetime) { this.signedUrlLifetime = signedUrlLifetime; return this; }
        public Builder mail(io.wrenn.controlplane.mail.MailSettings mail) { this.mail = mail; return this; }

        public ControlPlaneConfig build() {
            return new ControlPlaneConfig(bindHost, port, jdbcUrl, jdbcUser, jdbcPassword, agentSecret, limits,
                    reconcileInterval, deadlines, trustedProxies, tokenLifetime, oauthProviders, buildFilesDir, buildsPerHost,
                    sandboxDomain, metricsToken, capacity, defaultQuota, pausedRetention, signup, signedUrlLifetime, mail);
        }
    }
}
