package io.wrenn.cli;

import java.util.ArrayDeque;
import java.util.Deque;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.wrenn.controlplane.ControlPlane;
import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.embeddeddb.EmbeddedDatabase;
import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.net.EgressSettings;
import io.wrenn.hostagent.HostAgentServer;
import io.wrenn.hostagent.layout.Layout;

/**
 * Wrenn on one machine: embedded PostgreSQL, one host agent and the control plane, started in
 * that order and stopped in the reverse one. The control plane still reaches the agent over
 * gRPC on loopback, so this is the production path, not a shortcut. Used by `wrenn up`, the
 * benchmark and the end-to-end tests.
 */
public final class AllInOne implements AutoCloseable {
    private String metricsToken;
    private static final Logger log = LoggerFactory.getLogger(AllInOne.class);
    private static final java.time.Duration READY_WAIT = java.time.Duration.ofSeconds(60);

    /**
     * @param layout   where Wrenn keeps its files
     * @param apiHost  address the REST API listens on
     * @param apiPort  REST port (0 = any free port)
     * @param reconcileInterval how often the reconciler compares database and host
     * @param agentAddress      host:port of a host agent started separately (`wrenn agent` on
     *                          the same home, which shares its secret file), or null to run one
     *                          in this process
     */
    /**
     * @param egress        how sandboxes get out; null: from the environment ({@link #egressFromEnvironment})
     * @param sandboxDomain {@code {port}-{sandboxId}.<domain>} host names; null: {@code WRENN_SANDBOX_DOMAIN}
     * @param environment   the {@code WRENN_*} settings read (README, "Limits, quotas and sign-up"); null: the process's
     */
    public record Settings(Layout layout, String apiHost, int apiPort, java.time.Duration reconcileInterval,
            String agentAddress, EgressSettings egress, String sandboxDomain, java.util.Map<String, String> environment) {
        public Settings {
            environment = environment == null ? System.getenv() : java.util.Map.copyOf(environment);
        }

        public Settings(Layout layout, String apiHost, int apiPort, java.time.Duration reconcileInterval,
                        String agentAddress, EgressSettings egress, String sandboxDomain) {
            this(layout, apiHost, apiPort, reconcileInterval, agentAddress, egress, sandboxDomain, null);
        }

        /** These settings with {@code overrides} in place of the process's values of the same names. */
        public Settings withEnvironment(java.util.Map<String, String> overrides) {
            java.util.Map<String, String> merged = new java.util.HashMap<>(environment);
            merged.putAll(overrides);
            return new Settings(layout, apiHost, apiPort, reconcileInterval, agentAddress, egress, sandboxDomain, merged);
        }

        public Settings(Layout layout, String apiHost, int apiPort, java.time.Duration reconcileInterval, String agentAddress) {
            this(layout, apiHost, apiPort, reconcileInterval, agentAddress, null, null);
        }

        public Settings(Layout layout, String apiHost, int apiPort) {
            this(layout, apiHost, apiPort, java.time.Duration.ofSeconds(5), null);
        }

        public Settings(Layout layout, String apiHost, int apiPort, java.time.Duration reconcileInterval) {
            this(layout, apiHost, apiPort, reconcileInterval, null);
        }
    }

    private final Layout layout;
    private final HomeFiles files;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedDatabase database;
    private HostAgentServer agent;
    private ControlPlane controlPlane;
    private String apiKey;
    private boolean freshApiKey;
    private String adminEmail;
    private String adminPassword;
    private boolean freshAdminPassword;
    private boolean ready;

    private AllInOne(Layout layout) {
        this.layout = layout;
        this.files = new HomeFiles(layout.home());
    }

    public static AllInOne start(Settings settings) {
        AllInOne wrenn = new AllInOne(settings.layout());
        try {
            wrenn.startAll(settings);
            return wrenn;
        } catch (RuntimeException | Error e) {
            wrenn.close();
            throw e;
        }
    }

    /**
     * {@code WRENN_EGRESS_UPLINK} (default: the default route's interface), {@code WRENN_GUEST_RESOLVER}
     * (default: the system's first non-loopback nameserver) and {@code WRENN_EGRESS_PRIVATE_ALLOW}
     * (comma-separated private CIDR blocks guests may reach; default none).
     */
    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    public static EgressSettings egressFromEnvironment(java.util.Map<String, String> env) {
        String allow = env.getOrDefault("WRENN_EGRESS_PRIVATE_ALLOW", "");
        return EgressSettings.forThisHost(env.get("WRENN_EGRESS_UPLINK"), env.get("WRENN_GUEST_RESOLVER"),
                java.util.Arrays.stream(allow.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList());
    }

    private void startAll(Settings settings) {
        java.util.Map<String, String> env = settings.environment();
        String agentSecret = SecretFile.readOrCreateRandom(files.agentSecretFile());
        metricsToken = SecretFile.metricsToken(files.metricsTokenFile());

        database = EmbeddedDatabase.start(files.postgresDir());
        started.push(database);

        if (settings.agentAddress() == null) {
            agent = new HostAgentServer(HostAgentConfig.defaults(layout, agentSecret)
                    .withEgress(settings.egress() != null ? settings.egress() : egressFromEnvironment(env))
                    .withWarmStarts(HostAgentConfig.warmStartsFromEnvironment(env)))
                    .exposeMetrics(SecretFile.agentMetricsPort(), metricsToken)
                    .start();
            started.push(agent);
        }

        PeopleSettings people = PeopleSettings.fromEnvironment(env);
        controlPlane = new ControlPlane(AdmissionSettings.apply(ControlPlaneConfig.builder(), env)
                .bindHost(settings.apiHost())
                .port(settings.apiPort())
                .jdbcUrl(database.jdbcUrl())
                .jdbcUser(database.user())
                .jdbcPassword(database.password())
                .agentSecret(agentSecret)
                .reconcileInterval(settings.reconcileInterval())
                // WRENN_INTERNET_DEFAULT=false: sandboxes that do not ask get no internet access.
                .limits(ControlPlaneConfig.Limits.defaults().withDefaultInternetAccess(
                        !"false".equalsIgnoreCase(env.getOrDefault("WRENN_INTERNET_DEFAULT", "true"))))
                .trustedProxies(people.trustedProxies())
                // WRENN_SANDBOX_DOMAIN: {port}-{sandboxId}.<domain> reaches a sandbox's port (wildcard DNS to Wrenn)
                .sandboxDomain(settings.sandboxDomain() != null ? settings.sandboxDomain()
                        : blankToNull(env.get("WRENN_SANDBOX_DOMAIN")))
                .oauthProviders(people.oauthProviders())
                .mail(people.mail())
                .buildFilesDir(files.buildFilesDir())
                .metricsToken(metricsToken)
                .build()).start();
        started.push(controlPlane);
        controlPlane.registerHost(agent != null ? "127.0.0.1:" + agent.port() : settings.agentAddress());
        // "Up" means a create is accepted: the host must answer, not merely be registered.
        ready = controlPlane.awaitReady(READY_WAIT);
        if (!ready) {
            log.warn("no host answered within {} s: creates are refused (503) until one does", READY_WAIT.toSeconds());
        }

        // The bootstrap key and the admin's password exist in plain text only once: at first
        // start they are saved for the operator; later starts read them back from the files.
        Bootstrap.Result bootstrap = controlPlane.bootstrap();
        bootstrap.apiKey().ifPresent(key -> SecretFile.write(files.apiKeyFile(), key));
        apiKey = bootstrap.apiKey().or(() -> SecretFile.read(files.apiKeyFile())).orElse(null);
        freshApiKey = bootstrap.apiKey().isPresent();
        adminEmail = bootstrap.adminEmail();
        freshAdminPassword = bootstrap.adminPassword().isPresent();
        bootstrap.adminPassword().ifPresent(password -> SecretFile.write(files.adminPasswordFile(), password));
        adminPassword = bootstrap.adminPassword().or(() -> SecretFile.read(files.adminPasswordFile())).orElse(null);
    }

    public Layout layout() {
        return layout;
    }

    /** Where this Wrenn keeps its database and bootstrap secrets. */
    public HomeFiles files() {
        return files;
    }

    /** The operator's bearer token for both Prometheus endpoints. */
    public String metricsToken() {
        return metricsToken;
    }

    public int apiPort() {
        return controlPlane.port();
    }

    /** The bootstrap team's API key, or null if its file was removed after the first start. */
    public String apiKey() {
        return apiKey;
    }

    /** The bootstrap admin's email (a platform admin). */
    public String adminEmail() {
        return adminEmail;
    }

    /** The bootstrap admin's generated password, or null if its file was removed after the first start. */
    public String adminPassword() {
        return adminPassword;
    }

    /** Whether a host answered at start, so that a create is accepted. */
    public boolean ready() {
        return ready;
    }

    /** Whether this start generated the API key (the first start): it is printed then only. */
    public boolean apiKeyIsNew() {
        return freshApiKey;
    }

    /** Whether this start generated the admin's password (the first start): it is printed then. */
    public boolean adminPasswordIsNew() {
        return freshAdminPassword;
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The host agent of this process; null when it runs separately ({@link Settings#agentAddress()}). */
    public HostAgentServer agent() {
        return agent;
    }

    public EmbeddedDatabase database() {
        return database;
    }

    /** The in-process agent's accelerator, or "external" when the agent runs separately. */
    public String accelerator() {
        return agent != null ? agent.sandboxes().accelerator().wireName() : "external";
    }

    /** Stops the control plane, then the agent (destroying its VMs), then PostgreSQL. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("stopping {} failed", part.getClass().getSimpleName(), e);
            }
        }
    }
}
