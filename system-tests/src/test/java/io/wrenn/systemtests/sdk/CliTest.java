package io.wrenn.systemtests.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.Wrenn;
import io.wrenn.testkit.WrennFixture;
import io.wrenn.testkit.WrennProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client verbs as a user runs them: the built launcher in a process of its own, against a
 * real Wrenn with real VMs. One sandbox is booted cold and snapshotted; the others are
 * restored from that snapshot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("vm")
class CliTest {
    private static final String BASE = "cli-base";
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private WrennFixture fixture;
    private Wrenn wrenn;
    private Sandbox sandbox;
    private final List<Sandbox> created = new ArrayList<>();
    @TempDir Path work;

    @BeforeAll
    void start() {
        fixture = WrennFixture.start();
        wrenn = Wrenn.builder().url(url()).apiKey(fixture.wrenn().apiKey()).build();
        BaseSnapshot.make(wrenn, BASE);
        sandbox = restored();
    }

    private Sandbox restored() {
        Sandbox restored = wrenn.sandboxes().create(SandboxSpec.of(BASE));
        created.add(restored);
        return restored;
    }

    @AfterAll
    void stop() {
        try {
            if (wrenn != null) {
                created.forEach(Sandbox::kill);
                wrenn.templates().list().stream().filter(t -> !t.platform())
                        .forEach(t -> wrenn.templates().delete(t.name()));
                wrenn.close();
            }
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    private String url() {
        return "http://127.0.0.1:" + fixture.apiPort();
    }

    /** {@code wrenn <args>} as a process, with the key in the environment and a private config. */
    private ProcessBuilder wrennCommand(List<String> jvmOptions, String... args) {
        ProcessBuilder builder = WrennProcesses.wrenn(work.resolve("home"), args);
        builder.command().addAll(1, jvmOptions);
        builder.redirectErrorStream(false);
        Map<String, String> env = builder.environment();
        env.put("WRENN_URL", url());
        env.put("WRENN_API_KEY", fixture.wrenn().apiKey());
        env.put("WRENN_CONFIG", work.resolve("config.json").toString());
        return builder;
    }

    private record Ran(int exit, String out, String err) {
    }

    private Ran run(Map<String, String> extraEnv, String stdin, String... args) throws Exception {
        ProcessBuilder builder = wrennCommand(List.of(), args);
        builder.environment().putAll(extraEnv);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        errReader.join();
        return new Ran(process.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    private Ran run(String... args) throws Exception {
        return run(Map.of(), "", args);
    }

    private static void copy(InputStream in, OutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    @Test
    void execExitsWithTheCommandsCodeAndStreamsBothOutputs() throws Exception {
        Ran seven = run("sandbox", "exec", sandbox.id(), "--", "sh", "-c", "echo out; echo err >&2; exit 7");
        assertThat(seven.exit()).as(seven.err()).isEqualTo(7);
        assertThat(seven.out()).isEqualTo("out\n");
        assertThat(seven.err()).contains("err\n");
        Ran piped = run(Map.of(), "through stdin\n", "sandbox", "exec", "-i", sandbox.id(), "--", "cat");
        assertThat(piped.out()).isEqualTo("through stdin\n");
        Ran missing = run("sandbox", "exec", "sb-0000000000000000000000000", "--", "true");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("sandbox_not_found");
    }

    @Test
    void logsConsolePrintsWhatRootWroteToTheGuestsConsoleWithoutItsEscapeSequences() throws Exception {
        String marker = "console-marker-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        // /dev/console is ttyS0 (the kernel's console=), which QEMU writes to serial.log; it is root's.
        Ran written = run("sandbox", "exec", "-u", "root", sandbox.id(), "--", "sh", "-c",
                "printf '\\033]0;title\\007\\033[31m%s\\033[0m\\n' " + marker + " > /dev/console");
        assertThat(written.exit()).as(written.err()).isZero();

        // The guest's UART may still be sending when the command returns.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Ran console = run("logs", sandbox.id(), "--console");
            assertThat(console.exit()).as(console.err()).isZero();
            assertThat(console.out().lines()).contains("]0;title" + marker);
            assertThat(console.out()).doesNotContain("\u001b").doesNotContain("\r").doesNotContain("\u0007");
        });
        Ran end = run("logs", sandbox.id(), "--console", "--bytes", "4096", "--json");
        assertThat(JSON.readTree(end.out()).get("text").asString()).contains(marker);
        Ran bad = run("logs", sandbox.id(), "--console", "--bytes", "262145");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("invalid_request");
    }

    @Test
    void cpRoundTrips200MiBByteForByteInBoundedMemory() throws Exception {
        Path original = work.resolve("big.bin");
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(original)) {
            for (int i = 0; i < 200; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        // A 48 MiB heap cannot hold the file: the copy must stream both ways.
        List<String> smallHeap = List.of("-Xmx48m");
        copyWithCli(smallHeap, original.toString(), sandbox.id() + ":/home/user/big.bin");
        assertThat(sandbox.files().stat("/home/user/big.bin").size()).isEqualTo(200L << 20);
        Path back = work.resolve("back.bin");
        copyWithCli(smallHeap, sandbox.id() + ":/home/user/big.bin", back.toString());
        assertThat(Files.mismatch(original, back)).isEqualTo(-1L);
        sandbox.files().remove("/home/user/big.bin");
    }

    private void copyWithCli(List<String> jvmOptions, String from, String to) throws Exception {
        Path log = Files.createTempFile(work, "cp-", ".log");
        Process cp = wrennCommand(jvmOptions, "sandbox", "cp", "--quiet", from, to)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(cp.waitFor(15, TimeUnit.MINUTES)).isTrue();
        assertThat(cp.exitValue()).as("wrenn sandbox cp %s %s: %s", from, to, Files.readString(log)).isZero();
    }

    @Test
    void shellThroughAPseudoTerminalHasItsSizeAndAnswersCommands() throws Exception {
        // script(1) gives the launcher a real terminal (37 rows, 123 columns) whose input is our pipe.
        String launcher = String.join(" ", wrennCommand(List.of(), "sandbox", "shell", sandbox.id()).command()
                .stream().map(part -> "'" + part + "'").toList());
        ProcessBuilder builder = new ProcessBuilder("script", "-qefc", "stty cols 123 rows 37; exec " + launcher,
                "/dev/null").redirectErrorStream(true);
        builder.environment().putAll(wrennCommand(List.of()).environment());
        builder.environment().put("TERM", "xterm");
        Process script = builder.start();
        StringBuffer screen = new StringBuffer();
        Thread reader = Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[4096];
            int read;
            try (InputStream in = script.getInputStream()) {
                while ((read = in.read(buffer)) > 0) {
                    screen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // script ended
            }
        });
        OutputStream keys = script.getOutputStream();
        keys.write("echo answer-$((6*7)); stty size\n".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(screen.toString()).contains("answer-42", "37 123"));
        keys.write("exit 3\n".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        assertThat(script.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as(screen.toString()).isTrue();
        reader.join();
        assertThat(script.exitValue()).as(screen.toString()).isEqualTo(3);
        keys.close();
    }

    @Test
    void lifecycleVerbsAndJsonForScripts() throws Exception {
        Ran create = run("sandbox", "create", BASE, "--quiet", "-l", "job=cli", "--deny-out", "192.0.2.0/24");
        assertThat(create.exit()).as(create.err()).isZero();
        String id = create.out().strip();
        created.add(wrenn.sandboxes().connect(id));
        assertThat(wrenn.sandboxes().connect(id).network().get().policy().denyOut()).containsExactly("192.0.2.0/24");
        JsonNode network = JSON.readTree(run("sandbox", "network", id, "--no-internet", "--allow-out", "203.0.113.10",
                "--json").out());
        assertThat(network.get("policy").get("allow_internet_access").asBoolean()).isFalse();
        assertThat(network.get("policy").get("deny_out").get(0).asString()).isEqualTo("192.0.2.0/24");
        assertThat(wrenn.sandboxes().connect(id).network().get().policy().allowOut()).containsExactly("203.0.113.10");
        JsonNode metrics = JSON.readTree(run("sandbox", "metrics", id, "--range", "5m", "--json").out());
        assertThat(metrics.get("sandbox_id").asString()).isEqualTo(id);
        assertThat(JSON.readTree(run("sandbox", "stats", "--json").out()).get("current").get("running").asLong())
                .isPositive();

        JsonNode list = JSON.readTree(run("sandbox", "list", "--json").out());
        assertThat(list.valueStream().map(s -> s.get("id").asString())).contains(id);
        JsonNode info = JSON.readTree(run("sandbox", "info", id, "--json").out());
        assertThat(info.get("status").asString()).isEqualTo("running");
        assertThat(info.get("metadata").get("job").asString()).isEqualTo("cli");

        assertThat(run("sandbox", "pause", id).exit()).isZero();
        assertThat(wrenn.sandboxes().connect(id).info().status()).isEqualTo(SandboxStatus.PAUSED);
        assertThat(run("sandbox", "resume", id).exit()).isZero();

        Ran fork = run("sandbox", "fork", id, "--count", "2", "--quiet");
        assertThat(fork.exit()).as(fork.err()).isZero();
        List<String> forkIds = fork.out().lines().toList();
        forkIds.forEach(forkId -> created.add(wrenn.sandboxes().connect(forkId)));
        assertThat(forkIds).hasSize(2).doesNotHaveDuplicates().doesNotContain(id);
        for (String forkId : forkIds) {
            assertThat(wrenn.sandboxes().connect(forkId).info().status()).isEqualTo(SandboxStatus.RUNNING);
        }

        Ran logs = run("logs", id);
        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out()).contains("created", "PUT /v1/sandboxes/{id}/network", "POST /v1/sandboxes/{id}/pause",
                "POST /v1/sandboxes/{id}/resume");
        assertThat(run("sandbox", "rm", id, forkIds.get(0), forkIds.get(1)).exit()).isZero();
        for (String forkId : forkIds) {
            assertThat(wrenn.sandboxes().connect(forkId).info().status()).isEqualTo(SandboxStatus.STOPPED);
        }
    }

    @Test
    void loginSavesAKeyAndKeysAreManagedAsAPerson() throws Exception {
        Map<String, String> noKey = new java.util.HashMap<>();
        noKey.put("WRENN_API_KEY", "");
        Ran login = run(noKey, fixture.wrenn().adminPassword() + "\n", "login", "--email",
                fixture.wrenn().adminEmail(), "--password-stdin", "--key-name", "cli-test");
        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(Files.getPosixFilePermissions(work.resolve("config.json")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");

        // With no key in the environment, the saved one is used.
        assertThat(run(noKey, "", "sandbox", "list").exit()).isZero();

        Map<String, String> person = new java.util.HashMap<>(noKey);
        person.put("WRENN_PASSWORD", fixture.wrenn().adminPassword());
        JsonNode keys = JSON.readTree(run(person, "", "keys", "list", "--json").out());
        assertThat(keys.valueStream().map(k -> k.get("name").asString())).contains("cli-test");
        JsonNode made = JSON.readTree(run(person, "", "keys", "create", "throwaway", "--json").out());
        assertThat(made.get("key").asString()).matches("e2b_[0-9a-f]{48}");
        assertThat(run(person, "", "keys", "rm", made.get("info").get("id").asString()).exit()).isZero();
        assertThat(run(person, "", "keys", "list").out()).doesNotContain("throwaway");
    }

    @Test
    void aUsersMavenProjectBuildsOnTheSdkArtifactAndItsExamplesRunOnJava17() throws Exception {
        Path root = Path.of(System.getProperty("wrenn.root", "..")).toAbsolutePath().normalize();
        String repository = System.getProperty("wrenn.maven.repo");
        Path project = work.resolve("user-project");
        copyTree(root.resolve("sdk/examples"), project);
        // The artifact as `mvn install` leaves it: the parent POM and the SDK's jar and POM.
        maven(root, "-N", "install");
        maven(root, "install:install-file", "-Dfile=" + root.resolve("sdk/target/sdk-0.1.0-SNAPSHOT.jar"),
                "-DpomFile=" + root.resolve("sdk/pom.xml"));
        maven(project, "package");

        // The machine's default java is 17: the SDK's bytecode and dependencies run there.
        String classpath = project.resolve("target/classes") + ":" + Files.readString(project.resolve("target/classpath")).strip();
        for (String example : List.of("HelloSandbox", "StreamingCommand", "SnapshotAndFork", "LockedDownSandbox")) {
            ProcessBuilder java = new ProcessBuilder("/usr/bin/java", "-cp", classpath, "io.wrenn.sdk.examples." + example, BASE)
                    .redirectErrorStream(true);
            java.environment().put("WRENN_URL", url());
            java.environment().put("WRENN_API_KEY", fixture.wrenn().apiKey());
            Process process = java.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(example + ": " + output).isZero();
            assertThat(output).as(example).containsAnyOf("Ada\nGrace", "job 2 done", "reads: weights v1",
                    "now allowed 203.0.113.10,198.51.100.0/24");
        }
    }

    private static void maven(Path directory, String... goals) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-o",
                "-Dmaven.repo.local=" + System.getProperty("wrenn.maven.repo")));
        command.addAll(List.of(goals));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process mvn = builder.start();
        String output = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(mvn.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(mvn.exitValue()).as(String.join(" ", command) + " in " + directory + ":\n" + output).isZero();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.filter(p -> !p.toString().contains("/target")).toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
