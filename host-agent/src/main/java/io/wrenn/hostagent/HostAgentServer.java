package io.wrenn.hostagent;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.wrenn.hostagent.disk.QemuImgDisks;
import io.wrenn.hostagent.guest.GuestConnector;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.metrics.AgentMetrics;
import io.wrenn.hostagent.net.ForwardingLease;
import io.wrenn.hostagent.net.DomainGate;
import io.wrenn.hostagent.net.HostEgress;
import io.wrenn.hostagent.net.NamespaceNetwork;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.os.ProcessCommandRunner;
import io.wrenn.hostagent.probe.AcceleratorPolicy;
import io.wrenn.hostagent.probe.AcceleratorProbe;
import io.wrenn.hostagent.rpc.BearerAuthInterceptor;
import io.wrenn.hostagent.rpc.HostAgentService;
import io.wrenn.hostagent.sandbox.BootPolicy;
import io.wrenn.hostagent.sandbox.Reaper;
import io.wrenn.hostagent.sandbox.SandboxManager;
import io.wrenn.hostagent.sandbox.TemplateCatalog;
import io.wrenn.hostagent.traffic.TrafficListener;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.QemuVirtualMachines;
import io.wrenn.hostagent.vm.QmpVmControl;
import io.wrenn.hostagent.protocol.Deadlines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * A host agent: the gRPC server of {@code hostagent.proto} and everything behind it.
 *
 * <pre>{@code
 * try (HostAgentServer agent = new HostAgentServer(HostAgentConfig.defaults(Layout.fromEnvironment(), secret))) {
 *     agent.start();
 *     int port = agent.port();
 *     ...
 * }
 * }</pre>
 */
public final class HostAgentServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostAgentServer.class);

    private final HostAgentConfig config;
    private final CommandRunner commands = new ProcessCommandRunner();
    private ExecutorService executor;
    private ScheduledExecutorService timers;
    private SandboxManager manager;
    private Reaper reaper;
    private Server server;
    private TrafficListener traffic;
    private io.wrenn.hostagent.traffic.TrafficTunnel tunnel;
    private AgentMetrics metrics;
    private AgentMetrics.Exposure metricsExposure;
    private HostEgress egress;
    private DomainGate gate;
    private boolean closed;
    private AcceleratorPolicy acceleratorPolicy = AcceleratorPolicy.fromEnvironment(System.getenv());

    public HostAgentServer(HostAgentConfig config) {
        this.config = config;
    }

    /** Whether to refuse to start without KVM (default: {@value AcceleratorPolicy#REQUIRE_KVM}); call before {@link #start()}. */
    public synchronized HostAgentServer requireKvm(boolean require) {
        acceleratorPolicy = new AcceleratorPolicy(require);
        return this;
    }

    /**
     * Serves the Prometheus endpoint ({@code GET /metrics} with {@code Authorization: Bearer
     * <token>}) on {@code port} (0 = any free one) of the agent's address; call before {@link #start()}.
     */
    public synchronized HostAgentServer exposeMetrics(int port, String token) {
        metricsExposure = new AgentMetrics.Exposure(config.bindHost(), port, token);
        return this;
    }

    /**
     * Prepares the home directory, re-adopts VMs left running by a previous agent, decides the
     * accelerator, starts the reaper and the gRPC server.
     */
    public synchronized HostAgentServer start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        installJulBridge();
        Layout layout = config.layout();
        layout.requireSocketPathsFit();
        try {
            // Private whatever the umask: guests' RAM, disks, consoles and tokens lie under them.
            io.wrenn.hostagent.layout.PrivateDirectories.create(layout.sandboxesDir());
            io.wrenn.hostagent.layout.PrivateDirectories.create(layout.snapshotsDir());
            io.wrenn.hostagent.layout.PrivateDirectories.create(layout.hostDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + layout.home(), e);
        }
        TemplateCatalog templates = new TemplateCatalog(layout, commands);
        egress = new HostEgress(commands, config.egress(), ForwardingLease.forThisMachine(), layout.home());
        egress.start();
        gate = new DomainGate(commands, config.egress());
        manager = new SandboxManager(layout, new NamespaceNetwork(commands, egress, gate), new QemuImgDisks(commands),
                new QemuVirtualMachines(commands), new QmpVmControl(Deadlines.DEFAULTS.stateTransfer()), GuestConnector.envd(), templates,
                new BootPolicy(config.bootDeadline(), config.bootAttempts(), BootPolicy.SLOW_BOOT_GRACE), Clock.systemUTC());
        manager.recover();
        Accelerator accelerator = switch (config.accelerator()) {
            case KVM -> Accelerator.KVM;
            case TCG -> Accelerator.TCG;
            case AUTO -> new AcceleratorProbe(layout, commands, templates, manager).resolve();
        };
        try {
            acceleratorPolicy.check(accelerator);
        } catch (IllegalStateException refused) {
            close();
            throw refused;
        }
        manager.accelerator(accelerator);
        manager.warmStarts(config.warmStarts());
        reaper = new Reaper(manager);
        reaper.start();
        timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wrenn-exec-timers").daemon().factory());
        executor = Executors.newVirtualThreadPerTaskExecutor();
        traffic = new TrafficListener(config.bindHost(), 0, config.sharedSecret(), manager).start();
        tunnel = new io.wrenn.hostagent.traffic.TrafficTunnel(config.bindHost(), 0, config.sharedSecret(), manager).start();
        metrics = new AgentMetrics(manager, metricsExposure);
        HostAgentService service = new HostAgentService(version(), layout, manager, templates, timers, traffic::port, tunnel::port, metrics);
        server = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindHost(), config.port()))
                .executor(executor)
                .addService(ServerInterceptors.intercept(service, new BearerAuthInterceptor(config.sharedSecret())))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on " + config.bindHost() + ":" + config.port(), e);
        }
        LOG.info("host agent {} listening on {}:{} (accelerator {}, warm starts {}, {} sandboxes re-adopted{})", version(),
                config.bindHost(), server.getPort(), manager.accelerator().wireName(), config.warmStarts() ? "on" : "off",
                manager.list().size(),
                metrics.port() == 0 ? "" : ", Prometheus on port " + metrics.port());
        return this;
    }

    /** The port of the traffic listener (forwarding HTTP into sandboxes for the control plane). */
    public synchronized int trafficPort() {
        if (traffic == null) {
            throw new IllegalStateException("not started");
        }
        return traffic.port();
    }

    /** The port the gRPC server listens on. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getPort();
    }

    /** Sampling and Prometheus series of this agent. */
    public synchronized AgentMetrics metrics() {
        if (metrics == null) {
            throw new IllegalStateException("not started");
        }
        return metrics;
    }

    /** The sandbox manager, for callers in the same JVM (and the reaper's {@code tick()} in tests). */
    public synchronized SandboxManager sandboxes() {
        if (manager == null) {
            throw new IllegalStateException("not started");
        }
        return manager;
    }

    /** The reaper, so tests can run a pass without waiting for the schedule. */
    public synchronized Reaper reaper() {
        if (reaper == null) {
            throw new IllegalStateException("not started");
        }
        return reaper;
    }

    /** Stops serving, then destroys the VMs or leaves them running as the configuration says. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (manager != null) {
            manager.shutdown();
        }
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                    server.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (tunnel != null) {
            tunnel.close();
        }
        if (traffic != null) {
            traffic.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (reaper != null) {
            reaper.close();
        }
        if (manager != null && config.onShutdown() == HostAgentConfig.ShutdownPolicy.DESTROY_VMS) {
            manager.destroyAll();
        }
        if (manager != null) {
            manager.closeGuestConnections();
            manager.releaseVmResources();
        }
        // VMs left running keep their way out and the host's protection from them until the next
        // agent on this home takes the table over; their lease lapses with this process.
        if (egress != null && config.onShutdown() == HostAgentConfig.ShutdownPolicy.DESTROY_VMS) {
            egress.close();
        }
        if (gate != null) {
            gate.close();
        }
        if (timers != null) {
            timers.shutdownNow();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        LOG.info("host agent stopped ({})", config.onShutdown() == HostAgentConfig.ShutdownPolicy.DESTROY_VMS
                ? "VMs destroyed" : "VMs left running");
    }

    /** The agent's version: the jar's implementation version, or "dev" when run from classes. */
    public static String version() {
        String v = HostAgentServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static synchronized void installJulBridge() {
        // grpc-java logs through java.util.logging; route it to SLF4J once per JVM.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
