package io.wrenn.envd;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.wrenn.envd.connect.ConnectService;
import io.wrenn.envd.connect.Rpc;
import io.wrenn.envd.filesystem.FilesystemRpcs;
import io.wrenn.envd.filesystem.WatchRpcs;
import io.wrenn.envd.files.FilesHandler;
import io.wrenn.envd.http.AccessTokenFilter;
import io.wrenn.envd.http.CorsFilter;
import io.wrenn.envd.http.HttpResponses;
import io.wrenn.envd.http.Route;
import io.wrenn.envd.init.HostMetrics;
import io.wrenn.envd.init.EntropyPool;
import io.wrenn.envd.init.InitHandler;
import io.wrenn.envd.init.SandboxDefaults;
import io.wrenn.envd.init.SystemClock;
import io.wrenn.envd.process.ConnectRpc;
import io.wrenn.envd.process.ProcessControlRpcs;
import io.wrenn.envd.process.ProcessLauncher;
import io.wrenn.envd.process.ProcessRegistry;
import io.wrenn.envd.process.StartRpc;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.UserDirectory;
import io.wrenn.envd.user.UserResolver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent inside every sandbox VM: E2B's envd protocol (Connect with the JSON codec, plus a few
 * plain HTTP routes) on port 49983, on the JDK's HTTP server with a virtual thread per exchange.
 */
public final class Envd implements AutoCloseable {
    public static final int DEFAULT_PORT = 49983;

    /**
     * @param address         where to listen (port 0 picks a free port)
     * @param clock           how {@code /init} sets the guest clock
     * @param users           where users and groups are looked up
     * @param outputWindow    bytes of output kept per process for clients that attach late
     * @param retention       how long an exited process stays reachable through Connect
     * @param keepaliveMillis idle interval after which process streams send a keepalive event
     */
    public record Config(InetSocketAddress address, SystemClock clock, EntropyPool entropy, UserDirectory users,
                         long outputWindow, Duration retention, long keepaliveMillis) {
        public static Config defaults(int port) {
            return new Config(new InetSocketAddress("0.0.0.0", port), SystemClock.realtime(), EntropyPool.kernel(),
                    UserDirectory.system(), 1024 * 1024, Duration.ofMinutes(1), 30_000);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ProcessRegistry processes;
    private final WatchRpcs watches;
    private final SandboxDefaults defaults;

    private Envd(HttpServer server, ExecutorService executor, ProcessRegistry processes, WatchRpcs watches,
                 SandboxDefaults defaults) {
        this.server = server;
        this.executor = executor;
        this.processes = processes;
        this.watches = watches;
        this.defaults = defaults;
    }

    public static Envd start(Config config) throws IOException {
        // Streams are many small flushed writes; with Nagle's algorithm on, each waits for the
        // client's delayed ACK (~40 ms per exec measured). Read once, when the server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        var defaults = new SandboxDefaults();
        var users = new UserResolver(config.users(), defaults);
        var processes = new ProcessRegistry(ProcessLauncher.system(), config.outputWindow(), config.retention());
        var control = new ProcessControlRpcs(processes);
        var access = new FileAccess(config.users(), ProcessLauncher.currentUid());
        var filesystem = new FilesystemRpcs(users, access);
        var watches = new WatchRpcs(users, access, config.keepaliveMillis());
        var files = new FilesHandler(users, access, defaults);
        var init = new InitHandler(defaults, config.clock(), config.entropy());
        var metrics = new HostMetrics();

        var processService = new ConnectService("process.Process", Map.of(
                "Start", Rpc.serverStream(new StartRpc(processes, users, defaults, config.keepaliveMillis())),
                "Connect", Rpc.serverStream(new ConnectRpc(processes, config.keepaliveMillis())),
                "List", Rpc.unary(control::list),
                "SendInput", Rpc.unary(control::sendInput),
                "SendSignal", Rpc.unary(control::sendSignal),
                "CloseStdin", Rpc.unary(control::closeStdin),
                "Update", Rpc.unary(control::update)));
        var filesystemService = new ConnectService("filesystem.Filesystem", Map.of(
                "Stat", Rpc.unary(filesystem::stat),
                "ListDir", Rpc.unary(filesystem::listDir),
                "MakeDir", Rpc.unary(filesystem::makeDir),
                "Move", Rpc.unary(filesystem::move),
                "Remove", Rpc.unary(filesystem::remove),
                "WatchDir", Rpc.serverStream(watches::watchDir),
                "CreateWatcher", Rpc.unary(watches::createWatcher),
                "GetWatcherEvents", Rpc.unary(watches::getWatcherEvents),
                "RemoveWatcher", Rpc.unary(watches::removeWatcher)));

        HttpServer server = HttpServer.create(config.address(), 128);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        var filters = java.util.List.of(new CorsFilter(), new AccessTokenFilter(defaults));
        mount(server, filters, processService.path(), processService);
        mount(server, filters, filesystemService.path(), filesystemService);
        mount(server, filters, "/health", new Route("/health", Map.of("GET", exchange -> {
            exchange.getResponseHeaders().set("X-Envd-Version", EnvdVersion.VERSION);
            HttpResponses.noContent(exchange);
        })));
        mount(server, filters, "/init", new Route("/init", Map.of("POST", init::handle)));
        mount(server, filters, "/envs", new Route("/envs", Map.of(
                "GET", exchange -> HttpResponses.json(exchange, 200, defaults.envVars()))));
        mount(server, filters, "/metrics", new Route("/metrics", Map.of("GET", metrics::handle)));
        mount(server, filters, "/files", new Route("/files", Map.of("GET", files::download, "POST", files::upload)));
        mount(server, filters, "/", new Route("/", Map.of()));
        server.start();
        return new Envd(server, executor, processes, watches, defaults);
    }

    private static void mount(HttpServer server, java.util.List<com.sun.net.httpserver.Filter> filters, String path, HttpHandler handler) {
        HttpContext context = server.createContext(path, handler);
        context.getFilters().addAll(filters);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public SandboxDefaults defaults() {
        return defaults;
    }

    /** Stops serving and kills the processes still running. */
    @Override
    public void close() {
        server.stop(0);
        processes.close();
        watches.close();
        executor.shutdownNow();
    }

    public static void main(String[] args) throws IOException {
        long startNanos = System.nanoTime();
        int port = portFrom(args);
        Envd envd = start(Config.defaults(port));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(envd::close));
        long readyMillis = (System.nanoTime() - startNanos) / 1_000_000;
        String jvmAge = StartupClock.processAgeMillis().stream().mapToObj(ms -> ms + " ms").findFirst().orElse("?");
        String systemUptime = StartupClock.systemUptimeMillis().stream()
                .mapToObj(ms -> String.format(java.util.Locale.ROOT, "%.2f s", ms / 1000.0)).findFirst().orElse("?");
        // The VM's serial console shows this line: it is how boot time is measured.
        System.out.println("envd " + EnvdVersion.VERSION + " ready on :" + envd.port() + " in " + readyMillis
                + " ms (jvm uptime " + jvmAge + ", system uptime " + systemUptime + ")");
        // Binding native calls takes ~100 ms; do it while the host is still on its way to /init
        // (which sets the clock through one of them) instead of on that request.
        Thread.ofPlatform().daemon().name("envd-warmup").start(io.wrenn.envd.linux.Libc::warmUp);
    }

    /** {@code --port N}, else the {@code WRENN_ENVD_PORT} environment variable, else 49983. */
    static int portFrom(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                return Integer.parseInt(args[i + 1]);
            }
            if (args[i].startsWith("--port=")) {
                return Integer.parseInt(args[i].substring("--port=".length()));
            }
            if (args[i].equals("--version")) {
                System.out.println(EnvdVersion.VERSION);
                System.exit(0);
            }
        }
        String env = System.getenv("WRENN_ENVD_PORT");
        return env == null || env.isBlank() ? DEFAULT_PORT : Integer.parseInt(env.trim());
    }
}
