package io.wrenn.controlplane;

import io.grpc.ManagedChannel;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.javalin.http.Handler;
import io.wrenn.controlplane.account.AccountRoutes;
import io.wrenn.controlplane.account.AccountService;
import io.wrenn.controlplane.account.LoginThrottle;
import io.wrenn.controlplane.account.Passwords;
import io.wrenn.controlplane.account.UserStore;
import io.wrenn.controlplane.admin.AdminRoutes;
import io.wrenn.controlplane.audit.AuditLog;
import io.wrenn.controlplane.audit.AuditRecorder;
import io.wrenn.controlplane.audit.AuditRoutes;
import io.wrenn.controlplane.auth.ApiKeyRoutes;
import io.wrenn.controlplane.build.Builds;
import io.wrenn.controlplane.auth.ApiKeyStore;
import io.wrenn.controlplane.auth.Authenticator;
import io.wrenn.controlplane.auth.SocketTokens;
import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.auth.SessionStore;
import io.wrenn.controlplane.auth.TeamKeys;
import io.wrenn.controlplane.auth.SigningKeyRoutes;
import io.wrenn.controlplane.auth.SigningKeys;
import io.wrenn.controlplane.auth.Tokens;
import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.http.ClientAddress;
import io.wrenn.controlplane.http.RouteFilter;
import io.wrenn.controlplane.oauth.OAuthAccounts;
import io.wrenn.controlplane.oauth.OAuthRoutes;
import io.wrenn.controlplane.sandbox.SandboxAdmin;
import io.wrenn.controlplane.team.TeamRoutes;
import io.wrenn.controlplane.team.TeamService;
import io.wrenn.controlplane.team.TeamStore;
import io.wrenn.controlplane.e2b.E2bRoutes;
import io.wrenn.controlplane.e2b.TrafficProxy;
import io.wrenn.controlplane.e2b.TrafficUpgrade;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostTraffic;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.host.Scheduler;
import io.wrenn.controlplane.http.DashboardRoutes;
import io.wrenn.controlplane.http.DocsRoutes;
import io.wrenn.controlplane.http.ErrorHandlers;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.JsonErrorPages;
import io.wrenn.controlplane.http.Route;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.metrics.Metrics;
import io.wrenn.controlplane.metrics.MetricsRoutes;
import io.wrenn.controlplane.reconciler.Reconciler;
import io.wrenn.controlplane.sandbox.SandboxRoutes;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.network.NetworkRoutes;
import io.wrenn.controlplane.network.SandboxNetworks;
import io.wrenn.controlplane.template.SnapshotRoutes;
import io.wrenn.controlplane.template.SnapshotService;
import io.wrenn.controlplane.template.TemplateStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Wrenn control plane: the REST API over PostgreSQL and the host agents, plus the
 * reconciler. Lifecycle: construct, {@link #start()}, then {@link #registerHost} and
 * {@link #bootstrap()} as needed, and {@link #close()}.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    /** JSON request bodies are small; file uploads bypass this limit by streaming. */
    private static final long MAX_JSON_BODY = 1 << 20;
    /** The name {@link #registerHost(String)} gives the host it registers. */
    public static final String LOCAL_HOST = "local";

    private final ControlPlaneConfig config;
    private final HostAgents agents;
    private final HostTraffic traffic;
    private Database database;
    private Javalin app;
    private ScheduledExecutorService reconcileTimer;
    private ScheduledExecutorService heartbeat;
    private io.wrenn.controlplane.instance.ControlPlaneInstances instances;
    private io.wrenn.controlplane.instance.TrafficEnds trafficEnds;
    private io.wrenn.controlplane.instance.Notifications notifications;
    private io.wrenn.controlplane.sandbox.SandboxCache sandboxCache;
    private static final long BEAT_MS = io.wrenn.controlplane.instance.ControlPlaneInstances.BEAT.toMillis();
    private Reconciler reconciler;
    private io.wrenn.controlplane.fork.ForkService forks;
    private HostStore hosts;
    private io.wrenn.controlplane.host.Readiness readiness;
    private List<Route> routes = List.of();
    private Passwords passwords;
    private Builds builds;
    private java.nio.file.Path temporaryBuildFiles;
    private Metrics metrics;
    private AuditLog auditLog;
    private io.wrenn.controlplane.mail.Outbox outbox;
    /** Sign-up and verification mails one address may receive per hour, whoever asks. */
    private static final int MAILS_PER_RECIPIENT_PER_HOUR = 5;

    public ControlPlane(ControlPlaneConfig config) {
        this.config = config;
        this.agents = new HostAgents(config.agentSecret());
        this.traffic = new HostTraffic(agents, config.agentSecret());
    }

    /** As {@link #ControlPlane(ControlPlaneConfig)}, reaching hosts through {@code channelFactory} (tests, in-process agents). */
    public ControlPlane(ControlPlaneConfig config, Function<String, ManagedChannel> channelFactory) {
        this.config = config;
        this.agents = new HostAgents(config.agentSecret(), channelFactory);
        this.traffic = new HostTraffic(agents, config.agentSecret());
    }

    /** Migrates the database, starts the REST server and the reconciler. */
    public synchronized ControlPlane start() {
        if (app != null) {
            throw new IllegalStateException("already started");
        }
        database = Database.open(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
        var jdbi = database.jdbi();
        hosts = new HostStore(jdbi);
        readiness = new io.wrenn.controlplane.host.Readiness(hosts);
        instances = new io.wrenn.controlplane.instance.ControlPlaneInstances(jdbi);
        instances.beat(); // before any row names it, so that no other control plane takes it for gone
        // One listening connection for every feature that hears the other control planes; it
        // starts once all have subscribed (below), and the sandbox reads stay on the database until then.
        notifications = new io.wrenn.controlplane.instance.Notifications(database::dedicatedConnection);
        sandboxCache = new io.wrenn.controlplane.sandbox.SandboxCache();
        sandboxCache.hear(notifications);
        SandboxStore sandboxStore = new SandboxStore(jdbi, instances.self(), sandboxCache);
        Scheduler scheduler = new Scheduler(hosts, agents, sandboxStore::reservedMemory);
        io.wrenn.controlplane.team.QuotaStore quotas = new io.wrenn.controlplane.team.QuotaStore(jdbi, config.defaultQuota());
        io.wrenn.controlplane.sandbox.Admission admission = new io.wrenn.controlplane.sandbox.Admission(jdbi, config.capacity(), quotas);
        SandboxService sandboxes = new SandboxService(sandboxStore, new TemplateStore(jdbi), hosts, agents, scheduler,
                config.limits(), config.deadlines(), admission,
                new io.wrenn.controlplane.host.StartGate(config.capacity()));
        Passwords passwords = new Passwords();
        this.passwords = passwords;
        ApiKeyStore apiKeys = new ApiKeyStore(jdbi);
        SigningKeys signingKeys = new SigningKeys(jdbi, config.tokenLifetime(), SigningKeys.REFRESH, SigningKeys.GRACE);
        Tokens tokens = new Tokens(signingKeys, config.tokenLifetime(), Clock.systemUTC());
        // What a key or a person was handed (a sandbox's access token) ends with them.
        io.wrenn.controlplane.sandbox.AccessTokens accessTokens =
                new io.wrenn.controlplane.sandbox.AccessTokens(sandboxes, sandboxStore, agents, jdbi);
        apiKeys.reportEndsTo(accessTokens);
        SocketTokens socketTokens = new SocketTokens(jdbi);
        Authenticator authenticator = new Authenticator(apiKeys, new SessionStore(jdbi), tokens, socketTokens);
        ClientAddress clientAddress = new ClientAddress(config.trustedProxies());
        auditLog = new AuditLog(jdbi);
        AuditRecorder audit = new AuditRecorder(jdbi, auditLog, clientAddress, instances.self());
        RouteFilter filter = (route, handler) -> {
            Handler authenticate = ctx -> authenticator.authenticate(ctx, route.access());
            if (route.audited()) {
                // Between the two, the recorder commits the call's entry before the handler changes anything.
                return audit.wrap(route, authenticate, handler);
            }
            return ctx -> {
                authenticate.handle(ctx);
                handler.handle(ctx);
            };
        };
        UserStore users = new UserStore(jdbi);
        TeamStore teamStore = new TeamStore(jdbi);
        SnapshotService snapshots = new SnapshotService(new TemplateStore(jdbi), sandboxStore, hosts, agents, config.deadlines(),
                instances.self());
        java.nio.file.Path buildFiles = config.buildFilesDir();
        if (buildFiles == null) {
            try {
                temporaryBuildFiles = java.nio.file.Files.createTempDirectory("wrenn-build-files-");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            buildFiles = temporaryBuildFiles;
        }
        builds = new Builds(jdbi, sandboxes, snapshots, new TemplateStore(jdbi), hosts, agents, buildFiles, config.buildsPerHost(),
                quotas);
        // A deleted team's keys stop at once (also the verified ones held in memory), its builds
        // are cancelled (their builders go) and its sandboxes stop before its snapshots go, so
        // those are no longer in use.
        TeamService teams = new TeamService(teamStore,
                List.of(apiKeys::forgetTeam, builds.service()::cancelAllOfTeam, sandboxes::stopAllOfTeam, snapshots::deleteAllOfTeam));
        teams.reportEndsTo(accessTokens);
        io.wrenn.controlplane.team.InvitationStore invitationStore = new io.wrenn.controlplane.team.InvitationStore(jdbi);
        io.wrenn.controlplane.team.InvitationService invitations =
                new io.wrenn.controlplane.team.InvitationService(invitationStore, users);
        io.wrenn.controlplane.mail.MailThrottle mailThrottle = new io.wrenn.controlplane.mail.MailThrottle(jdbi, MAILS_PER_RECIPIENT_PER_HOUR);
        if (config.mail() != null) {
            outbox = new io.wrenn.controlplane.mail.Outbox(config.mail(), mailThrottle);
        }
        AccountService accounts = new AccountService(users, teamStore, passwords, new LoginThrottle(jdbi), tokens,
                new io.wrenn.controlplane.account.EmailVerifications(jdbi),
                java.util.Optional.ofNullable(outbox).map(o -> new io.wrenn.controlplane.account.AccountMails(config.mail(), o, mailThrottle)));
        metrics = new Metrics(jdbi, hosts, agents);
        sandboxes.observeCreates(metrics.meters()::created);
        reconciler = new Reconciler(hosts, sandboxStore, new TemplateStore(jdbi), agents, config.deadlines(), Clock.systemUTC(),
                config.pausedRetention(), instances, auditLog);

        app = Javalin.create(javalin -> {
            javalin.concurrency.useVirtualThreads = true;
            javalin.jsonMapper(new JavalinJackson3(Jsons.mapper(), false));
            javalin.http.maxRequestSize = MAX_JSON_BODY;
            // No response compression: it buffers streamed responses (server-sent events, file
            // downloads with their own Content-Length) until enough bytes or the end arrive.
            javalin.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE;
            // Multipart uploads spill to temporary files past 1 MiB, so memory stays flat.
            javalin.jetty.multipartConfig.maxInMemoryFileSize(1, io.javalin.config.SizeUnit.MB);
            javalin.jetty.multipartConfig.maxFileSize(config.limits().maxUploadBytes(), io.javalin.config.SizeUnit.BYTES);
            javalin.jetty.multipartConfig.maxTotalRequestSize(config.limits().maxUploadBytes(), io.javalin.config.SizeUnit.BYTES);
            javalin.startup.showJavalinBanner = false;
            // Refusals from below the routes (HTTP parser, header size) answer in JSON too.
            javalin.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorPages()));
            javalin.staticFiles.enableWebjars();
            javalin.requestLogger.http((ctx, ms) -> {
                log.debug("{} {} {} {} ms", ctx.method(), ctx.path(), ctx.status().getCode(), Math.round(ms));
                metrics.meters().request(ctx.method().name(), matchedRoute(ctx), ctx.status().getCode(),
                        java.time.Duration.ofNanos((long) (ms * 1_000_000)));
            });
            ErrorHandlers.install(javalin.routes);
            RouteTable table = new RouteTable(javalin.routes, filter);
            new DocsRoutes(readiness::notReadyReason).register(table);
            new DashboardRoutes(DashboardRoutes.Files.classpath("dashboard")).register(javalin.routes);
            new AccountRoutes(accounts, teams, invitations, clientAddress, config.signup(),
                    new io.wrenn.controlplane.account.SignupThrottle(jdbi, config.signup().perAddressPerHour())).register(table);
            new OAuthRoutes(config.oauthProviders(), jdbi, new OAuthAccounts(jdbi, users, config.signup()), accounts,
                    config.mail() != null && "https".equalsIgnoreCase(config.mail().publicUrl().getScheme())).register(table);
            new TeamRoutes(teams).register(table);
            new io.wrenn.controlplane.team.InvitationRoutes(invitations, teams).register(table);
            new ApiKeyRoutes(apiKeys, config.signup().keysPerUserPerHour()).register(table);
            new SigningKeyRoutes(signingKeys).register(table);
            new AuditRoutes(auditLog).register(table);
            new AdminRoutes(jdbi, users, new SandboxAdmin(sandboxStore), sandboxes,
                    new io.wrenn.controlplane.admin.TeamContainment(jdbi, sandboxes, apiKeys, builds.service()::cancelAllOfTeam),
                    quotas, admission, apiKeys).register(table);
            // Before the sandbox routes: "/v1/sandboxes/stats" must not be taken for a sandbox id.
            new MetricsRoutes(metrics, sandboxes, config.metricsToken()).register(table);
            new SandboxRoutes(sandboxes, agents, socketTokens).register(table);
            new io.wrenn.controlplane.sandbox.AccessTokenRoutes(sandboxes, accessTokens).register(table);
            new io.wrenn.controlplane.audit.SandboxLogRoutes(auditLog, sandboxes).register(table);
            new SnapshotRoutes(snapshots).register(table);
            builds.routes().register(table);
            SandboxNetworks networks = new SandboxNetworks(sandboxes, sandboxStore, hosts, agents);
            new NetworkRoutes(networks, config.limits().defaultInternetAccess()).register(table);
            new io.wrenn.controlplane.console.ConsoleRoutes(
                    new io.wrenn.controlplane.console.SandboxConsoles(sandboxes, hosts, agents)).register(table);
            TrafficProxy proxy = new TrafficProxy(sandboxes, networks, apiKeys, traffic, config.sandboxDomain(),
                    config.signedUrlLifetime());
            // This control plane ends what it proxies at once; the others hear of it through the database.
            accessTokens.onReplaced(proxy::tokenReplaced);
            accessTokens.onKeyRevoked(proxy::keyRevoked);
            trafficEnds = new io.wrenn.controlplane.instance.TrafficEnds(database.jdbi(), notifications);
            accessTokens.onReplaced(id -> trafficEnds.publishQuietly(io.wrenn.controlplane.instance.TrafficEnds.Kind.TOKEN_REPLACED, id));
            accessTokens.onKeyRevoked(id -> trafficEnds.publishQuietly(io.wrenn.controlplane.instance.TrafficEnds.Kind.KEY_REVOKED, id));
            trafficEnds.subscribe((kind, id) -> {
                switch (kind) {
                    case TOKEN_REPLACED -> proxy.tokenReplaced(id);
                    case KEY_REVOKED -> proxy.keyRevoked(id);
                }
            });
            if (config.sandboxDomain() != null) {
                // {port}-{sandboxId}.<domain>: whatever the path, such a request is the sandbox's
                javalin.routes.before(proxy::routeByHost);
            }
            // Upgrades (WebSockets) to a sandbox's port switch the connection before Javalin's
            // own WebSocket routing, which would refuse a path it has no handler for.
            TrafficUpgrade upgrades = new TrafficUpgrade(proxy, traffic);
            javalin.jetty.modifyServletContextHandler(context -> context.addFilter(
                    new org.eclipse.jetty.ee10.servlet.FilterHolder(upgrades), "/*",
                    java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST)));
            new E2bRoutes(sandboxes, networks, traffic, proxy, config.sandboxDomain(), metrics.sandboxes(),
                    accessTokens).register(table);
            forks = new io.wrenn.controlplane.fork.ForkService(sandboxes, snapshots, networks, new TemplateStore(jdbi));
            new io.wrenn.controlplane.fork.ForkRoutes(forks, sandboxes).register(table);
            new io.wrenn.controlplane.e2b.E2bSnapshotRoutes(sandboxes, snapshots, new TemplateStore(jdbi), forks, networks,
                    config.sandboxDomain(), accessTokens).register(table);
            new io.wrenn.controlplane.e2b.E2bTemplateRoutes(builds.service(), sandboxes, socketTokens).register(table);
            routes = table.served();
        });
        notifications.start();
        app.start(config.bindHost(), config.port());

        builds.start();
        metrics.start();
        // A thread of its own: a long reconciler pass must not make this control plane look gone.
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-heartbeat").daemon().factory());
        heartbeat.scheduleAtFixedRate(this::beatSafely, BEAT_MS, BEAT_MS, TimeUnit.MILLISECONDS);
        reconcileTimer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-reconciler").daemon().factory());
        reconcileTimer.scheduleWithFixedDelay(this::reconcileSafely, 0, config.reconcileInterval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("control plane listening on {}:{}", config.bindHost(), app.port());
        return this;
    }

    /** The REST server's port (useful when the configured port was 0). */
    public int port() {
        requireStarted();
        return app.port();
    }

    /**
     * Records the local host agent, now at {@code address} (host:port), as an online host and
     * returns its id ({@code host-…}). The local host keeps its id across restarts even when
     * its agent listens on another port, so its sandboxes stay attached to it.
     */
    public String registerHost(String address) {
        return registerHost(LOCAL_HOST, address);
    }

    /** Records the host agent called {@code name}, now at {@code address}; returns its id. */
    public String registerHost(String name, String address) {
        requireStarted();
        return WireId.HOST.encode(hosts.upsert(name, address));
    }

    /**
     * On a fresh database creates the admin (a platform admin with a generated password), a
     * team and an API key, and returns the key and the password: the only time either is
     * available in plain text. Later calls return neither.
     */
    public Bootstrap.Result bootstrap() {
        requireStarted();
        return new Bootstrap(database.jdbi(), passwords).run();
    }

    /**
     * Waits until a create would be accepted (a host online and answering), at most
     * {@code timeout}; returns whether it is. Asks every registered host directly, so a host
     * the reconciler has not reached yet counts as soon as it answers.
     */
    public boolean awaitReady(java.time.Duration timeout) {
        requireStarted();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (io.wrenn.controlplane.host.Host host : hosts.all()) {
                try {
                    hosts.recordInfo(host.id(), agents.stub(host, java.time.Duration.ofSeconds(2))
                            .getHostInfo(io.wrenn.hostagent.protocol.GetHostInfoRequest.getDefaultInstance()));
                } catch (io.grpc.StatusException | RuntimeException e) {
                    log.debug("host {} does not answer yet: {}", host.address(), e.toString());
                }
            }
            if (readiness.notReadyReason().isEmpty()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Creates a team named {@code name} and returns a new API key for it. */
    public String createTeamApiKey(String name) {
        requireStarted();
        return new TeamKeys(database.jdbi()).createTeamWithKey(name);
    }

    /** Runs one reconciler pass now, on the caller's thread. */
    public void reconcile() {
        requireStarted();
        reconciler.tick();
    }

    /** Forks (their snapshots can be collected at once in tests). */
    public io.wrenn.controlplane.fork.ForkService forks() {
        requireStarted();
        return forks;
    }

    /** How this control plane hears, and tells the others, which traffic must end. */
    public io.wrenn.controlplane.instance.TrafficEnds trafficEnds() {
        return trafficEnds;
    }

    /** How this control plane hears the others (tests break and watch it). */
    public io.wrenn.controlplane.instance.Notifications notifications() {
        return notifications;
    }

    /** The sandbox reads kept in memory (tests watch its coherence and hits). */
    public io.wrenn.controlplane.sandbox.SandboxCache sandboxCache() {
        return sandboxCache;
    }

    /** The metrics feature (its jobs can be run at once in tests). */
    public Metrics metrics() {
        requireStarted();
        return metrics;
    }

    /** The template of the route a request matched ({@code /v1/sandboxes/{id}}), never its values. */
    private static String matchedRoute(io.javalin.http.Context ctx) {
        try {
            var endpoint = ctx.endpoints().lastHttpEndpoint();
            return endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    /** Every route the REST server serves. */
    public List<Route> routes() {
        return routes;
    }

    /** Stops the server, the reconciler, the host channels and the pool. */
    @Override
    public synchronized void close() {
        if (builds != null) {
            builds.close();
        }
        if (reconcileTimer != null) {
            reconcileTimer.shutdownNow();
            try {
                reconcileTimer.awaitTermination(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (metrics != null) {
            metrics.close();
        }
        if (app != null) {
            app.stop();
        }
        if (outbox != null) {
            outbox.close();
        }
        if (heartbeat != null) {
            heartbeat.shutdownNow();
            boolean databaseAnswers = true;
            try {
                // The server has stopped: a call it was still serving will not settle its entry.
                auditLog.settleLostOf(instances.self());
            } catch (RuntimeException e) {
                // With the database gone, asking it again below would hold the stop for another
                // pool wait. Both are settled by whoever comes next (stale heartbeats and their
                // lost entries are the reconciler's).
                databaseAnswers = !io.wrenn.controlplane.db.DatabaseUnavailable.causedBy(e);
                log.warn("could not settle this control plane's pending audit entries: {}", e.getMessage());
            }
            if (databaseAnswers) {
                try {
                    instances.retire();
                } catch (RuntimeException e) {
                    log.warn("could not retire this control plane's heartbeat: {}", e.getMessage());
                }
            }
        }
        if (notifications != null) {
            notifications.close();
        }
        traffic.close();
        agents.close();
        if (database != null) {
            database.close();
        }
        if (temporaryBuildFiles != null) {
            try (var paths = java.nio.file.Files.walk(temporaryBuildFiles)) {
                for (java.nio.file.Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(path);
                }
            } catch (java.io.IOException e) {
                log.warn("could not remove {}: {}", temporaryBuildFiles, e.toString());
            }
        }
    }

    /** A scheduled task that throws is never run again; so nothing may escape (also below). */
    private void beatSafely() {
        try {
            instances.beat();
        } catch (RuntimeException e) {
            log.warn("heartbeat not written: {}", e.getMessage());
        }
    }

    private void reconcileSafely() {
        try {
            reconciler.tick();
        } catch (Throwable t) {
            log.error("reconciler pass failed", t);
        }
        try {
            if (forks != null) forks.collectUnused(java.time.Instant.now().minus(io.wrenn.controlplane.fork.ForkService.COLLECT_AFTER));
        } catch (RuntimeException e) {
            log.warn("collecting fork snapshots failed: {}", e.toString());
        }
    }

    private void requireStarted() {
        if (app == null) {
            throw new IllegalStateException("the control plane is not started");
        }
    }
}
