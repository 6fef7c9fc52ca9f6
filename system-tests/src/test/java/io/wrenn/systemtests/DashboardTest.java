package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.testkit.WrennFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The web dashboard in a real browser against a real Wrenn: {@code src/test/dashboard-e2e} drives
 * Debian's Chromium ({@code /usr/bin/chromium}, the {@code chromium} package that {@code ./wrenn}
 * installs) with playwright-core from npm, pinned by its lockfile, through sign-up, a sandbox's
 * life (one cold boot of {@code minimal}, one restore from its snapshot), its files, terminal,
 * processes (a process's output, a kill), events and console, the OAuth buttons and callback page,
 * the team, keys, audit, stats and admin pages, with axe-core's accessibility check on each page.
 * Screenshots land in {@code target/screenshots}.
 *
 * <p>Needs the dashboard built into the control plane ({@code ./wrenn test} builds it first) and
 * Node.js 20 or newer.
 */
@Tag("vm")
class DashboardTest {

    private static final Path SUITE = Path.of("src/test/dashboard-e2e");
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "dashboard.test.mjs");

    @Test
    void aPersonUsesWrennThroughTheDashboard() throws Exception {
        Path work = Path.of("target/dashboard-e2e");
        Files.createDirectories(work);
        for (String file : FILES) {
            Files.copy(SUITE.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        run(work, Map.of(), List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);

        try (WrennFixture wrenn = WrennFixture.start()) {
            String base = "http://127.0.0.1:" + wrenn.apiPort();
            assertThat(get(base + "/")).as("the control plane serves the built dashboard at /").contains("<div id=\"app\">");
            Map<String, String> env = Map.of(
                    "WRENN_URL", base,
                    "WRENN_ADMIN_EMAIL", wrenn.wrenn().adminEmail(),
                    "WRENN_ADMIN_PASSWORD", wrenn.wrenn().adminPassword(),
                    "SCREENSHOTS", Path.of("target/screenshots").toAbsolutePath().toString());
            Result result = run(work, env, List.of("node", "--test", "--test-reporter=spec", "--test-concurrency=1",
                    "dashboard.test.mjs"), 1200);
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).containsPattern("\\bfail 0\\b").containsPattern("\\bpass [1-9]");
            assertThat(wrenn.runningVmCount()).as("the browser deleted both sandboxes").isZero();
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs a command with only PATH, HOME and {@code env} in its environment; output goes to the test log too. */
    private static Result run(Path dir, Map<String, String> env, List<String> command, int timeoutS)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        String path = environment.get("PATH");
        String home = environment.get("HOME");
        environment.clear();
        environment.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        environment.put("HOME", home == null ? "/root" : home);
        environment.putAll(env);
        Process process = builder.start();
        List<String> output = new ArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var lines = process.inputReader()) {
                lines.lines().forEach(line -> {
                    System.out.println("[dashboard] " + line);
                    synchronized (output) {
                        output.add(line);
                    }
                });
            } catch (IOException e) {
                // the process ended
            }
        });
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            reader.join();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutS + " s:\n"
                    + String.join("\n", output));
        }
        reader.join();
        int code = process.exitValue();
        if (code != 0 && !command.contains("--test")) {
            throw new AssertionError(String.join(" ", command) + " exited " + code + ":\n" + String.join("\n", output));
        }
        synchronized (output) {
            return new Result(code, String.join("\n", output));
        }
    }
}
