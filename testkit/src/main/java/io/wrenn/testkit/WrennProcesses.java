package io.wrenn.testkit;

import io.wrenn.hostagent.layout.Layout;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wrenn as an operator runs it, in processes of their own: the launcher's Java command on a
 * home of the test's, and what is left of that home in the process table afterwards.
 */
public final class WrennProcesses {

    private WrennProcesses() {
    }

    /**
     * {@code wrenn <arguments>} on {@code home}, with the machine's shared guest images; the
     * caller redirects its output. The launcher jar is the cli module's ({@code wrenn.cli.dir}).
     */
    public static ProcessBuilder wrenn(Path home, String... arguments) {
        Path cli = Path.of(System.getProperty("wrenn.cli.dir", "../cli/target")).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", cli.resolve("wrenn.jar") + ":" + cli.resolve("lib") + "/*",
                "io.wrenn.cli.Wrenn"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("WRENN_HOME", home.toString());
        builder.environment().put("WRENN_IMAGES", Layout.fromEnvironment().imagesDir().toString());
        return builder;
    }

    /**
     * Starts {@code wrenn agent} on {@code home} and {@code port} (TCG), its output appended to
     * {@code home/agent.log}, stopping at {@code failpoint} ({@code WRENN_FAILPOINT}; null: none),
     * and returns it once it listens. An agent that exits or does not listen within two minutes
     * fails the start (and is stopped), with its log.
     */
    public static Process startAgent(Path home, int port, String failpoint) throws IOException {
        Path log = home.resolve("agent.log");
        ProcessBuilder builder = wrenn(home, "agent", "--port", Integer.toString(port), "--accelerator", "tcg")
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (failpoint == null) {
            builder.environment().remove("WRENN_FAILPOINT");
        } else {
            builder.environment().put("WRENN_FAILPOINT", failpoint);
        }
        Process process = builder.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the agent on port " + port + " did not start; its log:\n"
                        + (Files.exists(log) ? Files.readString(log) : "(none)"));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted while the agent started", e);
            }
        }
        return process;
    }

    /** Whether something accepts TCP connections on {@code port} of the loopback address. */
    public static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A TCP port free on this machine now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * After a test of separate processes on {@code layout}'s home: destroys every VM a killed or
     * stopped agent left there (an agent of its own leaves VMs running when it stops), deletes the
     * home, and returns the live processes that still named it before it was deleted (a test
     * asserts there are none).
     */
    public static List<Long> cleanUpHome(io.wrenn.hostagent.layout.Layout layout) throws IOException {
        try (io.wrenn.hostagent.HostAgentServer cleaner = new io.wrenn.hostagent.HostAgentServer(
                io.wrenn.hostagent.HostAgentConfig.defaults(layout, "cleanup")
                        .withAccelerator(io.wrenn.hostagent.HostAgentConfig.AcceleratorChoice.TCG)).start()) {
            cleaner.sandboxes().list().forEach(s -> cleaner.sandboxes().destroy(s.id()));
        }
        List<Long> left = processesMentioning(layout.home());
        try (var paths = Files.walk(layout.home())) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        return left;
    }

    /** Live processes (not zombies) whose command line names {@code home}: PostgreSQL, QEMU, the JVM. */
    public static List<Long> processesMentioning(Path home) {
        return ProcessHandle.allProcesses()
                .filter(p -> commandLine(p.pid()).contains(home.toString()))
                .map(ProcessHandle::pid)
                .toList();
    }

    private static String commandLine(long pid) {
        try {
            // /proc reports size 0 for every file; a zombie's command line reads empty.
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
