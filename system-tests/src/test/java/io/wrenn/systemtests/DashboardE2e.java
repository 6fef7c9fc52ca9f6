package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The browser suites of {@code src/test/dashboard-e2e}: node scripts that drive Debian's Chromium
 * ({@code /usr/bin/chromium}) with playwright-core and check each page with axe-core, both pinned
 * by the suite's lockfile. Each suite runs in {@code target/dashboard-e2e} with only the
 * environment it is given; screenshots land in {@code target/screenshots}.
 */
final class DashboardE2e {

    private static final Path SUITE = Path.of("src/test/dashboard-e2e");
    private static final Path WORK = Path.of("target/dashboard-e2e");
    static final Path SCREENSHOTS = Path.of("target/screenshots").toAbsolutePath();

    private DashboardE2e() {
    }

    /** What a suite printed and how it ended. */
    record Result(int exitCode, String output) {
    }

    /** Copies the suite and installs its packages from the lockfile, unless that very lockfile was installed before. */
    static Path prepare() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        Path lock = WORK.resolve("package-lock.json");
        boolean installed = Files.isRegularFile(WORK.resolve("node_modules/.package-lock.json")) && Files.isRegularFile(lock)
                && Files.mismatch(lock, SUITE.resolve("package-lock.json")) == -1;
        try (var files = Files.list(SUITE)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, WORK.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!installed) {
            run(WORK, Map.of(), List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
        return WORK;
    }

    /** Runs one script with node's test runner; asserts that every test passed. */
    static Result runSuite(Path work, String script, Map<String, String> env, int timeoutS) throws IOException, InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("SCREENSHOTS", SCREENSHOTS.toString());
        Result result = run(work, all, List.of("node", "--test", "--test-reporter=spec", "--test-concurrency=1", script), timeoutS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("\\bfail 0\\b").containsPattern("\\bpass [1-9]");
        return result;
    }

    /** The body of a 200 answer to a GET. */
    static String get(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        }
    }

    /** Runs a command with only PATH, HOME and {@code env} in its environment; output goes to the test log too. */
    static Result run(Path dir, Map<String, String> env, List<String> command, int timeoutS)
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
