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
