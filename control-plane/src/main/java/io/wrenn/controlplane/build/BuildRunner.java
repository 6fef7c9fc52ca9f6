package io.wrenn.controlplane.build;

import io.wrenn.controlplane.network.NetworkPolicy;
import io.wrenn.controlplane.host.Host;
import io.wrenn.controlplane.host.HostAgents;
import io.wrenn.controlplane.host.HostStore;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.CreateSandboxBody;
import io.wrenn.controlplane.sandbox.FileTransfer;
import io.wrenn.controlplane.sandbox.Sandbox;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.template.SnapshotService;
import io.wrenn.controlplane.template.Template;
import io.wrenn.controlplane.template.TemplateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs one attempt of a build: a builder sandbox made through {@link SandboxService} (from the
 * recipe's {@code FROM}, or from the deepest cached layer of an unchanged prefix), each step
 * run in it, the snapshot through {@link SnapshotService}, and the builder destroyed whatever
 * happens. The worker that calls it holds the build's lease; cancelling the returned attempt
 * stops the step in flight.
 */
final class BuildRunner {

    private static final Logger log = LoggerFactory.getLogger(BuildRunner.class);
    /** A body step that took this long is worth a cached layer even when it is not the last. */
    static final Duration CACHE_WORTHY_STEP = Duration.ofSeconds(5);
    private static final int SHORT_STEP_S = 60;
    static final int BUILDER_TRIES = 3;
    /** Unpacking and moving a few GiB under TCG: generous, and still an end. */
    static final int IMPORT_TIMEOUT_S = 1800;

    private final BuildStore store;
    private final SandboxService sandboxes;
    private final SnapshotService snapshots;
    private final TemplateStore templates;
    private final HostStore hosts;
    private final HostAgents agents;
    private final BuildFiles files;
    private final FileTransfer transfer;
    private final Clock clock;

    BuildRunner(BuildStore store, SandboxService sandboxes, SnapshotService snapshots, TemplateStore templates,
                HostStore hosts, HostAgents agents, BuildFiles files, FileTransfer transfer, Clock clock) {
        this.store = store;
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.templates = templates;
        this.hosts = hosts;
        this.agents = agents;
        this.files = files;
        this.transfer = transfer;
        this.clock = clock;
    }

    /** What steps see: the current user, directory and the recipe's environment so far. */
    private static final class Context {
        String user = "root";
        String workdir;
        boolean userSet;
        boolean workdirSet;
        final LinkedHashMap<String, String> env = new LinkedHashMap<>();
    }

    /** The attempt in flight, so a cancel can reach its step. */
    static final class Attempt {
        private volatile GuestShell shell;
        private volatile String cancelled;
        private volatile boolean released;

        /** Stops the attempt and gives the build back to the queue (this control plane is stopping). */
        void release() {
            released = true;
            cancel("the control plane is stopping");
        }

        void cancel(String why) {
            cancelled = why;
            GuestShell current = shell;
            if (current != null) {
                current.cancel(why);
            }
        }

        void throwIfCancelled() {
            if (cancelled != null) {
                throw new BuildCancelled(cancelled);
            }
        }
    }

    /** Runs {@code build} (held by {@code owner}) to its end and records the outcome. */
    void run(Build build, String owner, Attempt attempt) {
        BuildLog buildLog = new BuildLog(store, build.id(), clock);
        BuildPlan plan = BuildPlan.of(build.recipe(), build.skipPrePost());
        long started = System.nanoTime();
        Sandbox builder = null;
        int step = 0;
        try {
            Template from = sandboxes.findTemplate(build.requesterTeam(), build.recipe().from())
                    .orElseThrow(() -> new StepFailed("FROM: no template named '" + build.recipe().from() + "'"));
            List<String> keys = cacheKeys(build, from, plan);
            int cached = 0;
            Template start = from;
            if (!build.noCache()) {
                for (int i = plan.bodyEnd(); i >= 1; i--) {
                    var layer = templates.findBuildCache(build.teamId(), keys.get(i));
                    if (layer.isPresent()) {
                        cached = i;
                        start = layer.get();
                        break;
                    }
                }
            }
            attempt.throwIfCancelled();
            buildLog.system(0, "attempt " + build.attempts() + ": builder from '" + (cached > 0 ? "cached layer after step " + cached : from.name())
                    + "' (" + plan.total() + " steps" + (cached > 0 ? ", " + cached + " cached" : "") + ")");
            builder = createBuilder(build, start, plan, buildLog, attempt);
            Host host = hosts.find(builder.hostId()).orElseThrow(() -> new StepFailed("the builder's host is gone"));
            if (!store.recordBuilder(build.id(), owner, host.id(), builder.id())) {
                throw new BuildCancelled("the build was taken over");
            }
            GuestShell shell = new GuestShell(agents, host, builder.id());
            attempt.shell = shell;
            attempt.throwIfCancelled();
            Context context = new Context();
            Set<String> unpacked = new HashSet<>();
            for (BuildPlan.Planned planned : plan.steps()) {
                step = planned.number();
                boolean replay = step <= cached;
                if (!replay) {
                    store.progress(build.id(), owner, step, cached);
                    buildLog.system(step, "step " + step + "/" + plan.total() + " [" + planned.phase() + "] "
                            + firstLine(planned.step().describe()) + "  (" + elapsed(started) + ")");
                }
                long stepStarted = System.nanoTime();
                execute(build, builder, shell, planned, context, unpacked, buildLog, replay);
                boolean lastBody = step == plan.bodyEnd();
                if (!replay && !build.noCache() && step <= plan.bodyEnd() && planned.step().changesDisk()
                        && (lastBody || Duration.ofNanos(System.nanoTime() - stepStarted).compareTo(CACHE_WORTHY_STEP) >= 0)) {
                    cacheLayer(build, builder, keys.get(step), step, buildLog);
                }
            }
            step = plan.total();
            store.progress(build.id(), owner, step, cached);
            buildLog.system(step, "step " + step + "/" + plan.total() + " snapshot '" + build.name() + "'  (" + elapsed(started) + ")");
            attempt.throwIfCancelled();
            boolean imported = isImport(build.recipe());
            replaceOldTemplate(build, imported);
            // An imported root filesystem has no process worth keeping: its template is an image
            // of the builder's disk (cold boots, any size), its user the one the import ensured.
            Template made = imported
                    ? snapshots.make(build.teamId(), sandboxes.reload(builder), build.name(), Template.IMAGE,
                            new SnapshotService.Defaults(BuildPlan.BUILD_USER, BuildPlan.BUILD_HOME, Map.of()), null)
                    : snapshots.make(build.teamId(), sandboxes.reload(builder), build.name(), Template.SNAPSHOT,
                    new SnapshotService.Defaults(context.userSet ? context.user : "",
                            context.workdirSet && context.workdir != null ? context.workdir : "", context.env), null);
            destroy(build, builder);
            builder = null;
            buildLog.system(step, "built template '" + build.name() + "' in " + elapsed(started));
            store.finish(build.id(), owner, BuildStatus.SUCCEEDED, null, null, made.id());
        } catch (BuildCancelled e) {
            destroy(build, builder);
            if (attempt.released) {
                buildLog.system(step, "stopped: " + e.getMessage() + "; queued again");
                store.release(build.id(), owner);
            } else {
                buildLog.system(step, "cancelled after " + elapsed(started));
                store.finish(build.id(), owner, BuildStatus.CANCELLED, "cancelled", null, null);
            }
        } catch (StepFailed | ApiException e) {
            destroy(build, builder);
            String reason = (step == 0 ? "builder: " : "step " + step + ": ") + e.getMessage();
            buildLog.system(step, "failed: " + reason);
            store.finish(build.id(), owner, BuildStatus.FAILED, reason, step, null);
        } catch (RuntimeException e) {
            log.warn("build {} failed", build.id(), e);
            destroy(build, builder);
            String reason = "step " + step + ": internal error";
            buildLog.system(step, "failed: " + reason);
            store.finish(build.id(), owner, BuildStatus.FAILED, reason, step, null);
        } finally {
            attempt.shell = null;
        }
    }

    /**
     * The builder sandbox. A create that fails for want of the host (a cold boot under heavy
     * load can outlast its watchdog) is tried again, {@link #BUILDER_TRIES} times in all.
     */
    private Sandbox createBuilder(Build build, Template start, BuildPlan plan, BuildLog buildLog, Attempt attempt) {
        for (int tries = 1; ; tries++) {
            try {
                return createBuilderOnce(build, start, plan);
            } catch (ApiException e) {
                if (e.code().httpStatus() < 500 || tries == BUILDER_TRIES) {
                    throw e;
                }
                buildLog.system(0, "the builder did not start (" + e.getMessage() + "); trying again");
                attempt.throwIfCancelled();
            }
        }
    }

    private Sandbox createBuilderOnce(Build build, Template start, BuildPlan plan) {
        boolean snapshot = start.isSnapshot();
        long budget = 0;
        for (BuildPlan.Planned planned : plan.steps()) {
            budget += switch (planned.step()) {
                case Step.Run run -> run.timeoutS();
                case Step.Ready ready -> (long) ready.retries() * (ready.intervalS() + ready.timeoutS());
                case Step.Import ignored -> IMPORT_TIMEOUT_S;
                default -> SHORT_STEP_S;
            };
        }
        // The host reaps the builder if every control plane forgets it: never before the build could end.
        int timeoutS = (int) Math.min(sandboxes.limits().maxTimeoutS(), budget + 1800);
        int disk = Math.max(build.diskSizeMb(), start.diskSizeMb() == null ? 0 : start.diskSizeMb());
        CreateSandboxBody body = new CreateSandboxBody(start.name(),
                snapshot ? OptionalInt.empty() : OptionalInt.of(build.vcpus()),
                snapshot ? OptionalInt.empty() : OptionalInt.of(build.memoryMb()),
                disk, timeoutS, Map.of(), Map.of("wrenn.build", WireId.BUILD.encode(build.id())), io.wrenn.controlplane.sandbox.OnTimeout.DESTROY, true,
                // a builder's RUN steps install packages: it reaches the internet whatever the default
                NetworkPolicy.defaults(true));
        return sandboxes.createIn(build.requesterTeam(), start, body);
    }

    private void execute(Build build, Sandbox builder, GuestShell shell, BuildPlan.Planned planned, Context context,
                         Set<String> unpacked, BuildLog buildLog, boolean replay) {
        int n = planned.number();
        switch (planned.step()) {
            case Step.Run run -> {
                if (!replay) {
                    String user = run.user() != null ? run.user() : context.user;
                    GuestShell.Outcome outcome = shell.run(run.command(), user, context.workdir, context.env, run.timeoutS(), buildLog, n);
                    if (outcome.timedOut()) {
                        throw new StepFailed("timed out after " + run.timeoutS() + " s");
                    }
                    if (!outcome.ok()) {
                        throw new StepFailed("exited with " + outcome.exitCode()
                                + (outcome.error() == null || outcome.error().isEmpty() ? "" : " (" + outcome.error() + ")"));
                    }
                }
            }
            case Step.Env env -> {
                Map<String, String> seen = captureEnv(shell, context, buildLog, n);
                for (Step.Var var : env.vars()) {
                    String value = ShellWords.expand(var.value(), seen);
                    context.env.put(var.name(), value);
                    seen.put(var.name(), value);
                }
            }
            case Step.User user -> {
                if (!replay) {
                    mustSucceed(shell.run(GuestScripts.ensureUser(user.name()), "root", "/", Map.of(), SHORT_STEP_S, buildLog, n), "USER");
                }
                context.user = user.name();
                context.userSet = true;
            }
            case Step.Workdir workdir -> {
                String path = ShellWords.expand(workdir.path(), context.env);
                if (!path.startsWith("/")) {
                    String base = context.workdir != null ? context.workdir : home(shell, context.user, buildLog, n);
                    path = base.endsWith("/") ? base + path : base + "/" + path;
                }
                if (!replay) {
                    mustSucceed(shell.run(GuestScripts.workdir(path, context.user), "root", "/", Map.of(), SHORT_STEP_S, buildLog, n), "WORKDIR");
                }
                context.workdir = path;
                context.workdirSet = true;
            }
            case Step.Copy copy -> {
                if (!replay) {
                    copy(build, builder, shell, copy, context, unpacked, buildLog, n);
                }
            }
            case Step.Start start -> mustSucceed(shell.run(GuestScripts.start(start.command()), context.user, context.workdir,
                    context.env, SHORT_STEP_S, buildLog, n), "START");
            case Step.Ready ready -> waitReady(shell, ready, context, buildLog, n);
            case Step.Import rootfs -> {
                if (!replay) {
                    importRootFilesystem(build, builder, shell, rootfs, buildLog, n);
                }
            }
        }
    }

    /** Whether the build imports a root filesystem (and so ends with an image, not a snapshot). */
    static boolean isImport(Recipe recipe) {
        return recipe.steps().stream().anyMatch(step -> step instanceof Step.Import);
    }

    private void importRootFilesystem(Build build, Sandbox builder, GuestShell shell, Step.Import rootfs, BuildLog buildLog, int n) {
        Path archive = files.find(build.requesterTeam(), rootfs.archive())
                .orElseThrow(() -> new StepFailed("the uploaded root filesystem is not stored any more"));
        try (InputStream in = Files.newInputStream(archive)) {
            transfer.write(build.requesterTeam(), WireId.SANDBOX.encode(builder.id()), GuestScripts.IMPORT_TAR, "root",
                    Files.size(archive), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GuestShell.Outcome outcome = shell.capture(GuestScripts.importRootFilesystem(), "root", "/", Map.of(), IMPORT_TIMEOUT_S, buildLog, n);
        String refused = outcome.stdout().lines().filter(line -> line.startsWith("refused: ")).findFirst().orElse(null);
        if (refused != null) {
            throw new StepFailed("the root filesystem was " + refused);
        }
        mustSucceed(outcome, "IMPORT");
    }

    private void copy(Build build, Sandbox builder, GuestShell shell, Step.Copy copy, Context context, Set<String> unpacked,
                      BuildLog buildLog, int n) {
        String key = copy.archive() != null ? copy.archive() : build.archiveSha256();
        if (key == null) {
            throw new StepFailed("COPY needs an archive, and the build has none");
        }
        Path archive = files.find(build.requesterTeam(), key)
                .or(() -> files.find(build.teamId(), key))
                .orElseThrow(() -> new StepFailed("the archive of this COPY is not stored any more"));
        String filesDir = GuestScripts.WORK_DIR + "/files/" + key;
        if (unpacked.add(key)) {
            String tar = GuestScripts.WORK_DIR + "/" + key + ".tar";
            try (InputStream in = Files.newInputStream(archive)) {
                transfer.write(build.requesterTeam(), WireId.SANDBOX.encode(builder.id()), tar, "root", Files.size(archive), in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            mustSucceed(shell.run(GuestScripts.unpack(tar, filesDir), "root", "/", Map.of(), 600, buildLog, n), "COPY (unpacking the archive)");
        }
        String destination = ShellWords.expand(copy.destination(), context.env);
        if (!destination.startsWith("/")) {
            String base = context.workdir != null ? context.workdir : home(shell, context.user, buildLog, n);
            destination = (base.endsWith("/") ? base : base + "/") + destination;
        }
        String owner = copy.user() != null ? copy.user() : context.user;
        mustSucceed(shell.run(GuestScripts.copy(filesDir, copy.sources(), destination, owner, copy.mode()), "root", "/",
                Map.of(), 600, buildLog, n), "COPY");
    }

    private void waitReady(GuestShell shell, Step.Ready ready, Context context, BuildLog buildLog, int n) {
        for (int attempt = 1; attempt <= ready.retries(); attempt++) {
            GuestShell.Outcome outcome = shell.run(ready.command(), context.user, context.workdir, context.env, ready.timeoutS(), buildLog, n);
            if (outcome.ok()) {
                buildLog.system(n, "ready after " + attempt + (attempt == 1 ? " try" : " tries"));
                return;
            }
            try {
                Thread.sleep(Duration.ofSeconds(ready.intervalS()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildCancelled("interrupted");
            }
            shell.throwIfCancelled();
        }
        throw new StepFailed("READY did not succeed in " + ready.retries() + " tries");
    }

    /** The environment a process of the current user sees, for ENV's expansion. */
    private static Map<String, String> captureEnv(GuestShell shell, Context context, BuildLog buildLog, int n) {
        GuestShell.Outcome outcome = shell.capture("env", context.user, context.workdir, context.env, SHORT_STEP_S, buildLog, n);
        mustSucceed(outcome, "ENV");
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : outcome.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        env.putAll(context.env);
        return env;
    }

    private static String home(GuestShell shell, String user, BuildLog buildLog, int n) {
        GuestShell.Outcome outcome = shell.capture(GuestScripts.homeOf(user), "root", "/", Map.of(), SHORT_STEP_S, buildLog, n);
        String home = outcome.stdout().strip();
        return home.startsWith("/") ? home : "/";
    }

    private static void mustSucceed(GuestShell.Outcome outcome, String what) {
        if (outcome.timedOut()) {
            throw new StepFailed(what + " timed out");
        }
        if (!outcome.ok()) {
            throw new StepFailed(what + " failed (exit " + outcome.exitCode() + ")");
        }
    }

    /** A rebuild replaces the owner's template of the same name, unless sandboxes still use it. */
    private void replaceOldTemplate(Build build, boolean imported) {
        templates.findOwn(build.teamId(), build.name()).ifPresent(old -> {
            if (!old.isSnapshot() && !(imported && old.isMade())) {
                throw new StepFailed("a template named '" + build.name() + "' exists and is not a built one");
            }
            try {
                snapshots.remove(old);
            } catch (ApiException e) {
                throw new StepFailed("the template '" + build.name() + "' being replaced is still used by sandboxes");
            }
        });
    }

    private void cacheLayer(Build build, Sandbox builder, String key, int step, BuildLog buildLog) {
        String name = "cache-" + key.substring(0, 40);
        try {
            snapshots.make(build.teamId(), sandboxes.reload(builder), name, Template.SNAPSHOT, SnapshotService.Defaults.NONE, key);
            buildLog.system(step, "cached the layer after step " + step);
        } catch (ApiException e) {
            // A cache layer is an optimisation: a build never fails for want of one.
            buildLog.system(step, "could not cache the layer after step " + step + ": " + e.getMessage());
        }
    }

    private void destroy(Build build, Sandbox builder) {
        if (builder == null) {
            return;
        }
        try {
            sandboxes.delete(build.requesterTeam(), WireId.SANDBOX.encode(builder.id()));
        } catch (RuntimeException e) {
            // The row is 'stopping' or 'error'; the reconciler finishes the job with its host.
            log.warn("could not destroy builder {} of build {}: {}", builder.id(), build.id(), e.toString());
        }
    }

    /**
     * Keys of the layers after each body step: a chain of SHA-256 over the start template and
     * machine, then each step as stored without its line number (and a COPY's archive), so an
     * unchanged prefix has unchanged keys. {@code keys.get(i)} is the key after step i.
     */
    private static List<String> cacheKeys(Build build, Template from, BuildPlan plan) {
        List<String> keys = new ArrayList<>();
        String key = sha256("wrenn-build-layer-v1\n" + from.id() + "\n" + build.vcpus() + "/" + build.memoryMb() + "/"
                + build.diskSizeMb());
        keys.add(key);
        for (int i = 0; i < plan.bodyEnd(); i++) {
            Step step = plan.steps().get(i).step();
            ObjectNode json = Jsons.mapper().valueToTree(step);
            json.remove("line");
            String archive = step instanceof Step.Copy copy ? (copy.archive() != null ? copy.archive() : build.archiveSha256()) : "";
            key = sha256(key + "\n" + json + "\n" + archive);
            keys.add(key);
        }
        return keys;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl) + " …";
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private static String elapsed(long startedNanos) {
        long s = Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
        return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }
}
