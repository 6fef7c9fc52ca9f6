package io.wrenn.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every implementation of the SDK does, the same way: run against {@code WrennFake} here
 * and against a real Wrenn with real VMs in system-tests. One sandbox serves the tests that
 * only use it; tests that change a sandbox's life create their own from {@link #template()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SdkContract {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** The client under test (shared by the class). */
    protected abstract Wrenn wrenn();

    /** A template the tests create sandboxes from (fast: a snapshot where there is one). */
    protected abstract String template();

    private final List<Sandbox> created = Collections.synchronizedList(new ArrayList<>());
    private Sandbox shared;

    /** Brings up what {@link #wrenn()} talks to; runs before any sandbox is created. */
    protected void start() {
    }

    /** Takes it down; runs after every sandbox of the class was killed. */
    protected void stop() {
    }

    @BeforeAll
    void createShared() {
        start();
        shared = create(SandboxSpec.builder(template()).env("CONTRACT", "yes").metadata("suite", "contract")
                .network(NetworkPolicy.builder().denyOut("203.0.113.7/24").build()).build());
    }

    @AfterAll
    void removeCreated() {
        try {
            created.forEach(Sandbox::kill);
        } finally {
            stop();
        }
    }

    protected Sandbox create(SandboxSpec spec) {
        Sandbox sandbox = wrenn().sandboxes().create(spec);
        created.add(sandbox);
        return sandbox;
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---- sandboxes

    @Test
    void aCreatedSandboxRunsAndIsListedWithItsLabelsButNotItsEnvironmentValues() {
        SandboxInfo info = shared.info();
        assertThat(info.id()).startsWith("sb-");
        assertThat(info.status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(info.envKeys()).contains("CONTRACT");
        assertThat(info.metadata()).containsEntry("suite", "contract");
        assertThat(wrenn().sandboxes().list()).extracting(SandboxInfo::id).contains(shared.id());
        assertThat(wrenn().sandboxes().connect(shared.id()).info().template()).isEqualTo(template());
    }

    @Test
    void unknownThingsAreNotFoundWithTheServersCodes() {
        assertThatThrownBy(() -> wrenn().sandboxes().connect("sb-0000000000000000000000000"))
                .isInstanceOfSatisfying(WrennException.NotFoundException.class,
                        e -> assertThat(e.code()).isEqualTo("sandbox_not_found"));
        assertThatThrownBy(() -> wrenn().sandboxes().create(SandboxSpec.of("no-such-template")))
                .isInstanceOfSatisfying(WrennException.NotFoundException.class,
                        e -> assertThat(e.code()).isEqualTo("template_not_found"));
        assertThatThrownBy(() -> wrenn().templates().get("no-such-template"))
                .isInstanceOfSatisfying(WrennException.NotFoundException.class,
                        e -> assertThat(e.code()).isEqualTo("template_not_found"));
    }

    @Test
    void aKilledSandboxIsStoppedRefusesWorkAndKillingItAgainIsFine() {
        Sandbox sandbox = create(SandboxSpec.of(template()));
        sandbox.close();
        assertThat(sandbox.info().status()).isEqualTo(SandboxStatus.STOPPED);
        assertThat(wrenn().sandboxes().list()).extracting(SandboxInfo::id).doesNotContain(sandbox.id());
        assertThat(wrenn().sandboxes().list(Set.of(SandboxStatus.STOPPED))).extracting(SandboxInfo::id)
                .contains(sandbox.id());
        assertThatThrownBy(() -> sandbox.commands().run("true"))
                .isInstanceOfSatisfying(WrennException.ConflictException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_state"));
        assertThatThrownBy(() -> sandbox.network().update(NetworkPolicy.builder().build()))
                .isInstanceOfSatisfying(WrennException.ConflictException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_state"));
        assertThatThrownBy(sandbox::console).as("a stopped sandbox's console is gone")
                .isInstanceOfSatisfying(WrennException.ConflictException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_state"));
        sandbox.kill();
    }

    // ---- console

    @Test
    void whatRootWritesToTheConsoleIsReadBackFromTheEndOfALine() {
        String marker = unique("console-marker-");
        CommandResult written = shared.commands().run(CommandSpec.builder("sh").args("-c", "echo " + marker + " > /dev/console")
                .user("root").build());
        assertThat(written.exitCode()).as(written.stderr()).isZero();

        // The guest's UART may still be sending when the command returns.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(shared.console().text().lines()).contains(marker));
        SandboxConsole console = shared.console();
        assertThat(console.text()).doesNotContain("\r").doesNotContain("\u001b");

        SandboxConsole end = shared.console(8);
        assertThat(end.truncated()).isTrue();
        assertThat(end.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8);
        for (int bad : new int[] {0, -1, SandboxConsole.MAX_BYTES + 1}) {
            assertThatThrownBy(() -> shared.console(bad)).as("bytes " + bad)
                    .isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                            e -> assertThat(e.code()).isEqualTo("invalid_request"));
        }
    }

    // ---- network

    @Test
    void theNetworkPolicyGivenAtCreationIsShownNormalisedAndReplacedLive() {
        NetworkState created = shared.network().get();
        assertThat(created.policy().allowInternetAccess()).isTrue();
        assertThat(created.policy().denyOut()).containsExactly("203.0.113.0/24");
        assertThat(created.policy().allowOut()).isEmpty();
        assertThat(created.policy().allowPublicTraffic()).isTrue();
        assertThat(created.deniedConnections()).isNotNegative();
        try {
            NetworkState closed = shared.network().update(created.policy().toBuilder().internet(false)
                    .allowOut("198.51.100.9/32", "192.0.2.1/16", "Example.COM.").build());
            assertThat(closed.policy().allowInternetAccess()).isFalse();
            assertThat(closed.policy().allowOut()).containsExactly("198.51.100.9", "192.0.0.0/16", "example.com");
            assertThat(closed.policy().denyOut()).containsExactly("203.0.113.0/24");
            assertThat(shared.network().get().policy()).isEqualTo(closed.policy());

            for (String bad : List.of("example.com", "10.0.0.256", "::1", "1.2.3.4/33", "exa mple.com")) {
                assertThatThrownBy(() -> shared.network().update(NetworkPolicy.builder().denyOut(bad).build()))
                        .as(bad).isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                                e -> assertThat(e.code()).isEqualTo("invalid_request"));
            }
            assertThat(shared.network().get().policy()).isEqualTo(closed.policy());
        } finally {
            shared.network().update(created.policy());
        }
        assertThat(shared.network().get().policy()).isEqualTo(created.policy());
    }

    // ---- metrics

    @Test
    void aSandboxsMetricsCoverTheRangeStepByStepAndItIsMeasured() {
        SandboxMetrics metrics = shared.metrics(MetricsRange.MINUTES_10);
        assertThat(metrics.sandboxId()).isEqualTo(shared.id());
        assertThat(metrics.step()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Duration.between(metrics.start(), metrics.end())).isEqualTo(Duration.ofMinutes(10));
        assertThat(metrics.points()).hasSizeGreaterThanOrEqualTo(120)
                .allSatisfy(p -> assertThat(p.timestamp().getEpochSecond() % 5).isZero());
        assertThat(metrics.points().get(0).measured()).as("a step before the sandbox existed").isFalse();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(shared.metrics(MetricsRange.MINUTES_5).points())
                .anySatisfy(p -> {
                    assertThat(p.measured()).isTrue();
                    assertThat(p.memTotalBytes()).isPositive();
                    assertThat(p.cpuPct()).isBetween(0.0, 100.0);
                }));
        assertThat(shared.metrics(MetricsRange.DAYS_7).step()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void theTeamsStatsCountItsRunningSandboxesAndRefuseRangesTheyDoNotHave() {
        UsageStats stats = wrenn().sandboxes().stats(MetricsRange.HOUR_1);
        assertThat(stats.range()).isEqualTo("1h");
        assertThat(stats.step()).isEqualTo(Duration.ofSeconds(30));
        assertThat(stats.current().running()).isPositive();
        assertThat(stats.current().vcpusReserved()).isPositive();
        assertThat(stats.peaks().running()).isGreaterThanOrEqualTo(stats.current().running());
        assertThat(stats.points()).isNotEmpty();
        assertThatThrownBy(() -> wrenn().sandboxes().stats(MetricsRange.DAYS_7))
                .isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_request"));
    }

    // ---- files

    @Test
    void filesRoundTripAsBytesTextStreamsAndLocalFiles(@TempDir Path local) throws IOException {
        Filesystem files = shared.files();
        byte[] binary = new byte[300_000];
        new Random(7).nextBytes(binary);
        assertThat(files.write("/home/user/rt/binary.bin", binary)).isEqualTo(binary.length);
        assertThat(files.read("/home/user/rt/binary.bin")).isEqualTo(binary);

        files.write("/home/user/rt/text.txt", "grüße\n");
        assertThat(files.readString("/home/user/rt/text.txt")).isEqualTo("grüße\n");

        files.write("/home/user/rt/stream.bin", new ByteArrayInputStream(binary));
        try (InputStream in = files.readStream("/home/user/rt/stream.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(binary);
        }

        Path source = local.resolve("up.bin");
        Files.write(source, binary);
        files.upload(source, "/home/user/rt/up.bin");
        Path back = local.resolve("down.bin");
        assertThat(files.download("/home/user/rt/up.bin", back)).isEqualTo(binary.length);
        assertThat(Files.readAllBytes(back)).isEqualTo(binary);
    }

    @Test
    void directoriesAreListedStatedMovedAndRemoved() {
        Filesystem files = shared.files();
        String dir = "/home/user/" + unique("tree-");
        FileEntry made = files.mkdir(dir + "/a/b");
        assertThat(made.type()).isEqualTo(FileEntry.Type.DIRECTORY);
        files.write(dir + "/a/one.txt", "1");
        files.write(dir + "/a/b/two.txt", "22");

        assertThat(files.list(dir + "/a")).extracting(FileEntry::name).containsExactlyInAnyOrder("b", "one.txt");
        assertThat(files.list(dir, 3)).extracting(FileEntry::path)
                .contains(dir + "/a", dir + "/a/b", dir + "/a/one.txt", dir + "/a/b/two.txt");
        FileEntry two = files.stat(dir + "/a/b/two.txt");
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.type()).isEqualTo(FileEntry.Type.FILE);
        assertThat(two.owner()).isEqualTo("user");

        FileEntry moved = files.move(dir + "/a/one.txt", dir + "/uno.txt");
        assertThat(moved.path()).isEqualTo(dir + "/uno.txt");
        assertThat(files.exists(dir + "/a/one.txt")).isFalse();
        assertThat(files.readString(dir + "/uno.txt")).isEqualTo("1");

        files.remove(dir + "/a");
        assertThat(files.exists(dir + "/a/b/two.txt")).isFalse();
        assertThat(files.exists(dir + "/uno.txt")).isTrue();
    }

    @Test
    void badOrMissingPathsAreRefusedWithCodes() {
        Filesystem files = shared.files();
        assertThatThrownBy(() -> files.read("/home/user/no-such-file"))
                .isInstanceOfSatisfying(WrennException.NotFoundException.class,
                        e -> assertThat(e.code()).isEqualTo("file_not_found"));
        assertThatThrownBy(() -> files.read("relative/path"))
                .isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_request"));
        assertThatThrownBy(() -> files.write("/home/user/../etc/x", "x"))
                .isInstanceOf(WrennException.InvalidRequestException.class);
    }

    @Test
    void aWatchSeesFilesCreatedInItsDirectory() {
        Filesystem files = shared.files();
        String dir = "/home/user/" + unique("watched-");
        files.mkdir(dir);
        List<FileEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (FileWatch watch = files.watch(dir, false, events::add)) {
            assertThat(watch.isActive()).isTrue();
            files.write(dir + "/new.txt", "hello");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(events)
                    .anySatisfy(e -> assertThat(e.name()).isEqualTo("new.txt")));
        }
    }

    // ---- commands

    @Test
    void runGivesOutputAndExitCodesAndAFailureIsAResult() {
        CommandResult echo = shared.commands().run(CommandSpec.of("echo", "hello", "world"));
        assertThat(echo.stdout()).isEqualTo("hello world\n");
        assertThat(echo.exitCode()).isZero();
        assertThat(echo.succeeded()).isTrue();
        assertThat(shared.commands().run("exit 7").exitCode()).isEqualTo(7);
        assertThat(shared.commands().run(CommandSpec.of("false")).succeeded()).isFalse();
    }

    @Test
    void stdinReachesTheProcessAndOutputStreamsToCallbacks() {
        StringBuilder streamed = new StringBuilder();
        CommandResult cat = shared.commands().run(CommandSpec.builder("cat").stdin("piped through\n")
                .onStdout(streamed::append).build());
        assertThat(cat.stdout()).isEqualTo("piped through\n");
        assertThat(streamed.toString()).isEqualTo("piped through\n");
    }

    @Test
    void aStartedProcessTakesStdinUntilItIsClosed() {
        StringBuilder streamed = new StringBuilder();
        try (CommandHandle cat = shared.commands().start(CommandSpec.builder("cat").onStdout(text -> {
            synchronized (streamed) {
                streamed.append(text);
            }
        }).build())) {
            assertThat(cat.pid()).isPositive();
            cat.sendStdin("first\n");
            await().atMost(PATIENCE).until(() -> {
                synchronized (streamed) {
                    return streamed.toString().equals("first\n");
                }
            });
            cat.sendStdin("second\n");
            cat.closeStdin();
            CommandResult result = cat.waitFor(PATIENCE);
            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo("first\nsecond\n");
        }
    }

    @Test
    void aBackgroundProcessOutlivesItsHandleIsListedReattachedByTagAndKilled() {
        String tag = unique("bg-");
        CommandHandle started = shared.commands().start(CommandSpec.builder("cat").tag(tag).background(true).build());
        int pid = started.pid();
        started.sendStdin("before detaching\n");
        started.close();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(shared.commands().list())
                .anySatisfy(p -> assertThat(p.tag()).isEqualTo(tag)));
        StringBuilder replayed = new StringBuilder();
        try (CommandHandle attached = shared.commands().attach(tag, CommandSpec.builder("cat").onStdout(text -> {
            synchronized (replayed) {
                replayed.append(text);
            }
        }).build())) {
            assertThat(attached.pid()).isEqualTo(pid);
            await().atMost(PATIENCE).until(() -> {
                synchronized (replayed) {
                    return replayed.toString().contains("before detaching");
                }
            });
            shared.commands().kill(pid);
            CommandResult result = attached.waitFor(PATIENCE);
            assertThat(result.succeeded()).isFalse();
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(shared.commands().list())
                .noneSatisfy(p -> assertThat(p.pid()).isEqualTo(pid)));
    }

    @Test
    void aHandleKillsItsProcess() {
        try (CommandHandle sleeper = shared.commands().start(CommandSpec.of("sleep", "600"))) {
            sleeper.kill();
            CommandResult result = sleeper.waitFor(PATIENCE);
            assertThat(result.succeeded()).isFalse();
        }
    }

    @Test
    void aPtyShellTakesKeysResizesAndEndsWithExit() {
        StringBuffer screen = new StringBuffer();
        try (CommandHandle shell = shared.pty().open(100, 30,
                bytes -> screen.append(new String(bytes, StandardCharsets.UTF_8)))) {
            shell.sendStdin("echo pty-works\n");
            await().atMost(PATIENCE).until(() -> screen.toString().contains("pty-works"));
            shell.resize(120, 40);
            shell.sendStdin("exit\n");
            assertThat(shell.waitFor(PATIENCE).exitCode()).isZero();
        }
    }

    // ---- lifecycle

    @Test
    void aPausedSandboxRefusesWorkAndResumesWithItsFiles() {
        Sandbox sandbox = create(SandboxSpec.of(template()));
        sandbox.files().write("/home/user/kept.txt", "kept");
        SandboxInfo paused = sandbox.pause();
        assertThat(paused.status()).isEqualTo(SandboxStatus.PAUSED);
        assertThatThrownBy(() -> sandbox.files().read("/home/user/kept.txt"))
                .isInstanceOfSatisfying(WrennException.ConflictException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_state"));
        assertThatThrownBy(sandbox::pause).isInstanceOf(WrennException.ConflictException.class);
        assertThat(sandbox.console().text()).as("a paused sandbox keeps its console").isNotNull();
        NetworkState whilePaused = sandbox.network().update(NetworkPolicy.builder().internet(false).build());
        assertThat(whilePaused.policy().allowInternetAccess()).isFalse();
        assertThat(whilePaused.deniedConnections()).isZero();
        assertThat(sandbox.resume().status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(sandbox.files().readString("/home/user/kept.txt")).isEqualTo("kept");
        assertThat(sandbox.commands().run("echo back").stdout()).isEqualTo("back\n");

        List<SandboxEvent> logs = sandbox.logs(100);
        // An API call's entry is dated when the call arrived, so the create request precedes the
        // "created" event it caused.
        assertThat(logs).extracting(SandboxEvent::event).startsWith("POST /v1/sandboxes", "created")
                .contains("running")
                .containsSubsequence("POST /v1/sandboxes/{id}/pause",
                        "POST /v1/sandboxes/{id}/pause", "PUT /v1/sandboxes/{id}/network",
                        "POST /v1/sandboxes/{id}/resume");
        assertThat(logs).isSortedAccordingTo(java.util.Comparator.comparing(SandboxEvent::at));
        assertThat(logs).filteredOn(e -> e.status() != null && e.status() == 409)
                .singleElement().satisfies(refused -> {
                    assertThat(refused.event()).endsWith("/pause");
                    assertThat(refused.outcome()).isEqualTo("failure");
                    assertThat(refused.source()).isEqualTo("request");
                });
        assertThat(sandbox.logs(2)).isEqualTo(logs.subList(logs.size() - 2, logs.size()));
        assertThatThrownBy(() -> sandbox.logs(0)).isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_request"));
    }

    @Test
    void aSnapshotMakesTemplatesAndForksThatStartWithItsFiles() {
        Sandbox source = create(SandboxSpec.of(template()));
        source.files().write("/home/user/state.txt", "from the source");
        String name = unique("contract-snap-");
        Template snapshot = source.snapshot(name);
        assertThat(snapshot.type()).isEqualTo("snapshot");
        assertThat(wrenn().templates().list()).extracting(Template::name).contains(name);
        assertThat(wrenn().templates().get(name).id()).isEqualTo(snapshot.id());

        Sandbox copy = create(SandboxSpec.of(name));
        assertThat(copy.files().readString("/home/user/state.txt")).isEqualTo("from the source");
        assertThatThrownBy(() -> wrenn().templates().delete(name))
                .isInstanceOfSatisfying(WrennException.ConflictException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_state"));
        copy.kill();
        wrenn().templates().delete(name);
        assertThat(wrenn().templates().list()).extracting(Template::name).doesNotContain(name);

        List<Sandbox> forks = source.fork(2);
        created.addAll(forks);
        assertThat(forks).hasSize(2).extracting(Sandbox::id).doesNotHaveDuplicates().doesNotContain(source.id());
        for (Sandbox fork : forks) {
            assertThat(fork.info().status()).isEqualTo(SandboxStatus.RUNNING);
            assertThat(fork.files().readString("/home/user/state.txt")).isEqualTo("from the source");
        }
        forks.get(0).files().write("/home/user/state.txt", "changed in the fork");
        assertThat(forks.get(1).files().readString("/home/user/state.txt")).isEqualTo("from the source");
        assertThat(source.files().readString("/home/user/state.txt")).isEqualTo("from the source");
        assertThat(source.info().status()).isEqualTo(SandboxStatus.RUNNING);
        assertThatThrownBy(() -> source.fork(11)).isInstanceOf(WrennException.InvalidRequestException.class);
        forks.forEach(Sandbox::kill);
    }

    @Test
    void aDiskImageOfARunningSandboxIsATemplateOfItsOwn() {
        String name = unique("contract-image-");
        Template image = shared.saveImage(name);
        assertThat(image.type()).isEqualTo("image");
        assertThat(shared.info().status()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(wrenn().templates().list()).anySatisfy(t -> {
            assertThat(t.name()).isEqualTo(name);
            assertThat(t.type()).isEqualTo("image");
        });
        wrenn().templates().delete(name);
        assertThatThrownBy(() -> wrenn().templates().get(name)).isInstanceOf(WrennException.NotFoundException.class);
    }

    @Test
    void aBuildRunsItsRecipeWithLiveLogsAndMakesATemplate() {
        String name = unique("contract-build-");
        List<BuildLogLine> log = Collections.synchronizedList(new ArrayList<>());
        BuildInfo built = wrenn().builds().build(BuildSpec.builder(name,
                "FROM " + template() + "\nRUN echo build-marker-$((40+2))\n").skipPrePost(true).build(), log::add);
        assertThat(built.succeeded()).as(String.valueOf(built.reason())).isTrue();
        assertThat(log).isNotEmpty();
        assertThat(log).extracting(BuildLogLine::seq).isSorted();
        assertThat(log).anySatisfy(line -> assertThat(line.line()).contains("build-marker-"));
        assertThat(wrenn().builds().get(built.id()).status()).isEqualTo("succeeded");
        assertThat(wrenn().builds().list()).extracting(BuildInfo::id).contains(built.id());
        Sandbox fromBuild = create(SandboxSpec.of(name));
        assertThat(fromBuild.info().template()).isEqualTo(name);
        fromBuild.kill();
        wrenn().templates().delete(name);
    }

    @Test
    void aRecipeWithoutFromIsRefused() {
        assertThatThrownBy(() -> wrenn().builds().start(BuildSpec.builder(unique("bad-"), "RUN true\n").build()))
                .isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_request"));
    }

    @Test
    void snapshotNamesAreValidated() {
        assertThatThrownBy(() -> shared.snapshot("Not A Valid Name"))
                .isInstanceOfSatisfying(WrennException.InvalidRequestException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_request"));
    }

    protected static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
