package io.wrenn.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.cli.Wrenn;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.testing.WrennFake;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client verbs' argument handling, output and exit codes, against {@link WrennFake}:
 * which server and key they use, what they print, what they exit with.
 */
class ClientCommandsTest {
    private final WrennFake fake = new WrennFake();
    private final List<String> urlsUsed = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    @TempDir Path home;

    private record Run(int exit, String out, String err) {
    }

    private Run runWithStdin(String stdin, String... args) {
        Environment environment = new Environment(env, home.resolve("config.json"),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), builder -> {
                    urlsUsed.add(String.valueOf(builder));
                    return fake;
                });
        CommandLine commandLine = ClientCommands.commandLine(new Wrenn(), environment);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run run(String... args) {
        return runWithStdin("", args);
    }

    @Test
    void execExitsWithTheCommandsExitCodeAndStreamsItsOutput() {
        env.put("WRENN_API_KEY", "wrn_test");
        String id = run("sandbox", "create", "minimal", "--quiet").out().strip();
        assertThat(id).startsWith("sb-");

        assertThat(run("sandbox", "exec", id, "--", "sh", "-c", "exit 7").exit()).isEqualTo(7);
        Run echo = run("sandbox", "exec", id, "--", "echo", "hi", "there");
        assertThat(echo.exit()).isZero();
        assertThat(echo.out()).isEqualTo("hi there\n");
        Run cat = runWithStdin("from stdin\n", "sandbox", "exec", "-i", id, "--", "cat");
        assertThat(cat.out()).isEqualTo("from stdin\n");
    }

    @Test
    void readVerbsPrintJsonForScriptsWithTheApisNames() {
        env.put("WRENN_API_KEY", "wrn_test");
        Sandbox sandbox = fake.sandboxes().create(SandboxSpec.builder("minimal").metadata("job", "7").build());
        Run info = run("sandbox", "info", sandbox.id(), "--json");
        assertThat(info.exit()).isZero();
        assertThat(info.out()).contains("\"id\" : \"" + sandbox.id() + "\"", "\"status\" : \"running\"",
                "\"memory_mb\"", "\"job\" : \"7\"");
        Run list = run("sandbox", "list");
        assertThat(list.out()).startsWith("ID").contains(sandbox.id(), "running");
    }

    @Test
    void refusalsPrintTheServersCodeAndExitOne() {
        env.put("WRENN_API_KEY", "wrn_test");
        Run missing = run("sandbox", "info", "sb-0000000000000000000000000");
        assertThat(missing.exit()).isEqualTo(ClientCommands.EXIT_WRENN_ERROR);
        assertThat(missing.err()).contains("(sandbox_not_found)");
        Run noTemplate = run("sandbox", "create", "nope");
        assertThat(noTemplate.err()).contains("(template_not_found)");
    }

    @Test
    void usageErrorsExitTwoWithoutCallingWrenn() {
        env.put("WRENN_API_KEY", "wrn_test");
        assertThat(run("sandbox", "exec", "sb-x").exit()).isEqualTo(2);
        assertThat(run("sandbox", "cp", "a.txt", "b.txt").exit()).isEqualTo(2);
        assertThat(run("sandbox", "frobnicate").exit()).isEqualTo(2);
        assertThat(urlsUsed).isEmpty();
    }

    @Test
    void withoutAKeyAVerbSaysHowToGetOne() {
        env.put("WRENN_URL", "http://wrenn.invalid:8080");
        Run run = run("sandbox", "list");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("WRENN_API_KEY", "wrenn login");
    }

    @Test
    void theEnvironmentWinsOverTheSavedLoginAndTheFlagOverBoth() throws Exception {
        new ClientConfig("http://saved:8080", "wrn_saved", "ada@example.com").save(home.resolve("config.json"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("config.json"))))
                .isEqualTo("rw-------");
        CommandLine.ParseResult parsed = ClientCommands.commandLine(new Wrenn(), environment())
                .parseArgs("sandbox", "list");
        ClientOptions saved = options(parsed);
        assertThat(saved.resolvedUrl()).isEqualTo("http://saved:8080");
        assertThat(saved.resolvedApiKey()).isEqualTo("wrn_saved");

        env.put("WRENN_URL", "http://from-env:8080");
        env.put("WRENN_API_KEY", "wrn_env");
        ClientOptions fromEnv = options(ClientCommands.commandLine(new Wrenn(), environment()).parseArgs("sandbox", "list"));
        assertThat(fromEnv.resolvedUrl()).isEqualTo("http://from-env:8080");
        assertThat(fromEnv.resolvedApiKey()).isEqualTo("wrn_env");

        ClientOptions flag = options(ClientCommands.commandLine(new Wrenn(), environment())
                .parseArgs("sandbox", "list", "--url", "http://flag:8080"));
        assertThat(flag.resolvedUrl()).isEqualTo("http://flag:8080");
    }

    private Environment environment() {
        return new Environment(env, home.resolve("config.json"), new ByteArrayInputStream(new byte[0]), b -> fake);
    }

    private static ClientOptions options(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return ((SandboxCommand.ListSandboxes) leaf.commandSpec().userObject()).client;
    }

    @Test
    void loginWithAKeyOnStdinSavesItPrivately() throws Exception {
        Run login = runWithStdin("wrn_from_stdin\n", "login", "--api-key-stdin", "--url", "http://there:8080");
        assertThat(login.exit()).as(login.err()).isZero();
        ClientConfig saved = ClientConfig.load(home.resolve("config.json"));
        assertThat(saved.url()).isEqualTo("http://there:8080");
        assertThat(saved.apiKey()).isEqualTo("wrn_from_stdin");
    }

    @Test
    void cpParsesSandboxPathsAndCopiesBothWays() throws Exception {
        env.put("WRENN_API_KEY", "wrn_test");
        Sandbox sandbox = fake.sandboxes().create(SandboxSpec.of("minimal"));
        Path local = home.resolve("in.txt");
        Files.writeString(local, "payload");
        assertThat(run("sandbox", "cp", local.toString(), sandbox.id() + ":/home/user/in.txt").exit()).isZero();
        assertThat(sandbox.files().readString("/home/user/in.txt")).isEqualTo("payload");
        Path back = home.resolve("back.txt");
        assertThat(run("sandbox", "cp", sandbox.id() + ":/home/user/in.txt", back.toString()).exit()).isZero();
        assertThat(Files.readString(back)).isEqualTo("payload");
        assertThat(CopyCommand.Location.parse("sb-abc:/x/y")).isEqualTo(new CopyCommand.Location("sb-abc", "/x/y"));
        assertThat(CopyCommand.Location.parse("./sb-abc:/x").remote()).isFalse();
    }

    @Test
    void templateBuildPrintsTheLogAndExitsByTheOutcome() throws Exception {
        env.put("WRENN_API_KEY", "wrn_test");
        Path recipe = home.resolve("Recipe");
        Files.writeString(recipe, "FROM minimal\nRUN echo hi\n");
        Run built = run("template", "build", "hello", "-f", recipe.toString());
        assertThat(built.exit()).as(built.err()).isZero();
        assertThat(built.out()).contains("[2] ", "RUN echo hi", "built hello");
        assertThat(fake.templates().get("hello").type()).isEqualTo("snapshot");

        Run fromStdin = runWithStdin("RUN no-from\n", "template", "build", "bad", "-f", "-");
        assertThat(fromStdin.exit()).isEqualTo(ClientCommands.EXIT_WRENN_ERROR);
        assertThat(fromStdin.err()).contains("(invalid_request)");
    }

    @Test
    void templateImportUploadsTheTarballAndFollowsTheImport() throws Exception {
        env.put("WRENN_API_KEY", "wrn_test");
        Path tarball = Files.write(home.resolve("rootfs.tar"), new byte[1024]);
        Run imported = run("template", "import", "my-os", tarball.toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("imported my-os");
        assertThat(fake.templates().get("my-os")).isNotNull();

        Run missing = run("template", "import", "other-os", home.resolve("nope.tar").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void everyVerbHasHelpWithExamplesAndCompletionCoversThem() {
        List<List<String>> verbs = new ArrayList<>();
        collectVerbs(ClientCommands.commandLine(new Wrenn(), new Environment(env, home.resolve("config.json"),
                new ByteArrayInputStream(new byte[0]), builder -> fake)), new ArrayList<>(), verbs);
        assertThat(verbs).contains(List.of("sandbox", "network"), List.of("sandbox", "metrics"),
                List.of("sandbox", "stats"), List.of("sandbox", "logs"), List.of("logs"), List.of("sandbox", "rm"));
        for (List<String> verb : verbs) {
            List<String> args = new ArrayList<>(verb);
            args.add("--help");
            Run help = run(args.toArray(String[]::new));
            assertThat(help.exit()).as(String.join(" ", verb)).isZero();
            assertThat(help.out()).as(String.join(" ", verb)).contains("Example");
            if (READ_VERBS.contains(verb.get(verb.size() - 1))) {
                assertThat(help.out()).as(String.join(" ", verb) + " is a read verb").contains("--json");
            }
        }
        Run bash = run("completion", "bash");
        assertThat(bash.out()).contains("complete -F", "sandbox", "exec", "network", "--deny-out");
        assertThat(run("completion", "zsh").out()).contains("bashcompinit");
    }

    private static final java.util.Set<String> READ_VERBS = java.util.Set.of("list", "info", "network", "metrics",
            "stats", "logs");

    /** The client's leaf verbs below {@code command} (not the server's roles), each as the words that name it. */
    private static void collectVerbs(CommandLine command, List<String> path, List<List<String>> verbs) {
        if (command.getSubcommands().isEmpty()) {
            verbs.add(List.copyOf(path));
        }
        command.getSubcommands().forEach((name, sub) -> {
            boolean serverRole = path.isEmpty() && List.of("up", "agent", "bench", "smoke").contains(name);
            if (sub.getCommandName().equals(name) && !serverRole && !sub.getCommandSpec().usageMessage().hidden()) {
                List<String> deeper = new ArrayList<>(path);
                deeper.add(name);
                collectVerbs(sub, deeper, verbs);
            }
        });
    }

    @Test
    void networkFlagsSetThePolicyAtCreateAndChangeOnlyWhatTheyName() throws Exception {
        env.put("WRENN_API_KEY", "wrn_test");
        String id = run("sandbox", "create", "minimal", "--quiet", "--no-internet",
                "--allow-out", "203.0.113.10,198.51.100.7/24", "--deny-out", "192.0.2.0/24").out().strip();
        var policy = fake.sandboxes().connect(id).network().get().policy();
        assertThat(policy.allowInternetAccess()).isFalse();
        assertThat(policy.allowOut()).containsExactly("203.0.113.10", "198.51.100.0/24");
        assertThat(policy.denyOut()).containsExactly("192.0.2.0/24");

        Run shown = run("sandbox", "network", id);
        assertThat(shown.exit()).isZero();
        assertThat(shown.out()).contains("internet", "false", "203.0.113.10,198.51.100.0/24", "denied connections");

        Run changed = run("sandbox", "network", id, "--internet", "--deny-out", "", "--json");
        assertThat(changed.exit()).as(changed.err()).isZero();
        var json = Output.JSON.readTree(changed.out());
        assertThat(json.get("policy").get("allow_internet_access").booleanValue()).isTrue();
        assertThat(json.get("policy").get("deny_out")).isEmpty();
        assertThat(json.get("policy").get("allow_out")).hasSize(2);
        assertThat(json.get("denied_connections").longValue()).isZero();

        Run bad = run("sandbox", "network", id, "--deny-out", "example.com");
        assertThat(bad.exit()).isEqualTo(ClientCommands.EXIT_WRENN_ERROR);
        assertThat(bad.err()).contains("invalid_request");
        assertThat(fake.sandboxes().connect(id).network().get().policy().allowOut()).hasSize(2);
        Run plain = run("sandbox", "create", "minimal", "--quiet");
        assertThat(fake.sandboxes().connect(plain.out().strip()).network().get().policy().allowInternetAccess())
                .isTrue();
    }

    @Test
    void metricsStatsAndLogsPrintTablesAndJson() throws Exception {
        env.put("WRENN_API_KEY", "wrn_test");
        Sandbox sandbox = fake.sandboxes().create(SandboxSpec.of("minimal"));
        sandbox.pause();
        sandbox.resume();

        Run metrics = run("sandbox", "metrics", sandbox.id(), "--range", "5m");
        assertThat(metrics.exit()).as(metrics.err()).isZero();
        assertThat(metrics.out()).startsWith("TIME").contains("MEM_TOTAL", "512.0 MiB");
        var series = Output.JSON.readTree(run("sandbox", "metrics", sandbox.id(), "--json").out());
        assertThat(series.get("sandbox_id").stringValue()).isEqualTo(sandbox.id());
        assertThat(series.get("points").size()).isGreaterThanOrEqualTo(120);
        Run badRange = run("sandbox", "metrics", sandbox.id(), "--range", "3m");
        assertThat(badRange.exit()).isEqualTo(2);
        assertThat(badRange.err()).contains("unknown range '3m'");

        Run stats = run("sandbox", "stats");
        assertThat(stats.out()).contains("running", "peak running", "memory reserved");
        var statsJson = Output.JSON.readTree(run("sandbox", "stats", "--range", "24h", "--json").out());
        assertThat(statsJson.get("current").get("running").longValue()).isEqualTo(1);
        assertThat(statsJson.get("range").stringValue()).isEqualTo("24h");
        assertThat(run("sandbox", "stats", "--range", "7d").err()).contains("invalid_request");

        Run logs = run("logs", sandbox.id());
        assertThat(logs.exit()).isZero();
        assertThat(logs.out()).startsWith("TIME").contains("created", "POST /v1/sandboxes/{id}/pause", "200 success");
        var events = Output.JSON.readTree(run("sandbox", "logs", sandbox.id(), "-n", "1", "--json").out());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("event").stringValue()).isEqualTo("POST /v1/sandboxes/{id}/resume");
    }

    @Test
    void logsWithConsolePrintsTheGuestsConsoleEnd() throws Exception {
        env.put("WRENN_API_KEY", "wrn_test");
        fake.onCommand("boot", process -> {
            process.console("[    0.000000] Linux version 6.1\r\n\u001b[31mstart command failed\u001b[0m\r\n");
            return 0;
        });
        Sandbox sandbox = fake.sandboxes().create(SandboxSpec.of("minimal"));
        sandbox.commands().run("boot");

        Run console = run("logs", sandbox.id(), "--console");
        assertThat(console.exit()).as(console.err()).isZero();
        assertThat(console.out()).isEqualTo("[    0.000000] Linux version 6.1\nstart command failed\n");
        assertThat(console.err()).isEmpty();

        Run end = run("sandbox", "logs", sandbox.id(), "--console", "--bytes", "40");
        assertThat(end.out()).isEqualTo("start command failed\n");
        assertThat(end.err()).contains("earlier console output not shown");
        var json = Output.JSON.readTree(run("logs", sandbox.id(), "--console", "--json").out());
        assertThat(json.get("text").stringValue()).endsWith("start command failed\n");
        assertThat(json.get("truncated").booleanValue()).isFalse();

        assertThat(run("logs", sandbox.id(), "--console", "--bytes", "0").err()).contains("invalid_request");
        assertThat(run("logs", sandbox.id(), "--bytes", "10").exit()).as("--bytes without --console").isEqualTo(2);
        assertThat(run("logs", sandbox.id(), "--console", "-n", "5").exit()).isEqualTo(2);
        sandbox.kill();
        Run stopped = run("logs", sandbox.id(), "--console");
        assertThat(stopped.exit()).isEqualTo(ClientCommands.EXIT_WRENN_ERROR);
        assertThat(stopped.err()).contains("invalid_state");
    }
}
