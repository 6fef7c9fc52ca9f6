package io.wrenn.controlplane;

import io.grpc.ManagedChannel;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.wrenn.controlplane.auth.ApiKeyAuth;
import io.wrenn.controlplane.auth.ApiKeyStore;
import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.auth.TeamKeys;
import io.wrenn.controlplane.db.Database;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.host.Scheduler;
import io.wrenn.controlplane.http.DocsRoutes;
import io.wrenn.controlplane.http.ErrorHandlers;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.http.Route;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.reconciler.Reconciler;
import io.wrenn.controlplane.sandbox.SandboxRoutes;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.sandbox.SandboxStore;
import io.wrenn.controlplane.template.TemplateStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
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
    private Database database;
    private Javalin app;
    private ScheduledExecutorService reconcileTimer;
    private Reconciler reconciler;
    private HostStore hosts;
    private List<Route> routes = List.of();

    public ControlPlane(ControlPlaneConfig config) {
        this.config = config;
        this.agents = new HostAgents(config.agentSecret());
    }

    /** As {@link #ControlPlane(ControlPlaneConfig)}, reaching hosts through {@code channelFactory} (tests, in-process agents). */
    public ControlPlane(ControlPlaneConfig config, Function<String, ManagedChannel> channelFactory) {
        this.config = config;
        this.agents = new HostAgents(config.agentSecret(), channelFactory);
    }

    /** Migrates the database, starts the REST server and the reconciler. */
    public synchronized ControlPlane start() {
        if (app != null) {
            throw new IllegalStateException("already started");
        }
        database = Database.open(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
        var jdbi = database.jdbi();
        hosts = new HostStore(jdbi);
        SandboxStore sandboxStore = new SandboxStore(jdbi);
        Scheduler scheduler = new Scheduler(hosts, agents, sandboxStore::reservedMemory);
        SandboxService sandboxes = new SandboxService(sandboxStore, new TemplateStore(jdbi), hosts, agents, scheduler,
                config.limits(), config.createTimeout());
        ApiKeyAuth auth = new ApiKeyAuth(new ApiKeyStore(jdbi));
        reconciler = new Reconciler(hosts, sandboxStore, agents, config.createTimeout(), Clock.systemUTC());

        app = Javalin.create(javalin -> {
            javalin.concurrency.useVirtualThreads = true;
            javalin.jsonMapper(new JavalinJackson3(Jsons.mapper(), false));
            javalin.http.maxRequestSize = MAX_JSON_BODY;
            javalin.startup.showJavalinBanner = false;
            javalin.staticFiles.enableWebjars();
            javalin.requestLogger.http((ctx, ms) ->
                    log.debug("{} {} {} {} ms", ctx.method(), ctx.path(), ctx.status().getCode(), Math.round(ms)));
            ErrorHandlers.install(javalin.routes);
            javalin.routes.before("/v1/*", auth::authenticate);
            javalin.routes.wsBeforeUpgrade("/v1/*", auth::authenticate);
            RouteTable table = new RouteTable(javalin.routes);
            new DocsRoutes().register(table);
            new SandboxRoutes(sandboxes, agents).register(table);
            routes = table.served();
        });
        app.start(config.bindHost(), config.port());

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
     * On a fresh database creates the admin user, a team and an API key and returns the key,
     * the only time it is available in plain text. Empty once any API key exists.
     */
    public Optional<String> bootstrap() {
        requireStarted();
        return new Bootstrap(database.jdbi()).run();
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

    /** Every route the REST server serves. */
    public List<Route> routes() {
        return routes;
    }

    /** Stops the server, the reconciler, the host channels and the pool. */
    @Override
    public synchronized void close() {
        if (reconcileTimer != null) {
            reconcileTimer.shutdownNow();
            try {
                reconcileTimer.awaitTermination(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (app != null) {
            app.stop();
        }
        agents.close();
        if (database != null) {
            database.close();
        }
    }

    /** A scheduled task that throws is never run again; so nothing may escape. */
    private void reconcileSafely() {
        try {
            reconciler.tick();
        } catch (Throwable t) {
            log.error("reconciler pass failed", t);
        }
    }

    private void requireStarted() {
        if (app == null) {
            throw new IllegalStateException("the control plane is not started");
        }
    }
}
