package io.wrenn.controlplane.build;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.ControlPlaneConfig.Limits;
import io.wrenn.controlplane.auth.Caller;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Paging;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.sandbox.Admission;
import io.wrenn.controlplane.sandbox.SandboxService;
import io.wrenn.controlplane.template.Template;
import io.wrenn.controlplane.template.TemplateStore;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Template builds as API callers see them: queue one, read it and its log, cancel it, upload
 * the archives its COPY steps read. Team templates are built by the team's members and keys;
 * platform templates ({@code platform: true}) only by admins.
 */
public final class BuildService {

    /** What a builder gets when the request does not say: the original Wrenn's 5 GB disk. */
    public static final int DEFAULT_DISK_MB = 5120;
    static final Paging PAGING = Paging.of("builds", 2, 50, 200);
    private static final Set<String> FIELDS = Set.of("name", "recipe", "archive", "vcpus", "memory_mb", "disk_size_mb",
            "skip_pre_post", "no_cache", "platform");

    private final BuildStore store;
    private final BuildFiles files;
    private final BuildWorkers workers;
    private final TemplateStore templates;
    private final SandboxService sandboxes;
    private final Limits limits;
    private final io.wrenn.controlplane.team.QuotaStore quotas;

    BuildService(BuildStore store, BuildFiles files, BuildWorkers workers, TemplateStore templates, SandboxService sandboxes,
                 io.wrenn.controlplane.team.QuotaStore quotas) {
        this.quotas = quotas;
        this.store = store;
        this.files = files;
        this.workers = workers;
        this.templates = templates;
        this.sandboxes = sandboxes;
        this.limits = sandboxes.limits();
    }

    /** The machine a build's builder gets. */
    public record Machine(int vcpus, int memoryMb, int diskSizeMb) {
    }

    /** {@code POST /v1/builds}: validates and queues a build. */
    Build submit(Caller caller, byte[] body) {
        JsonBody json = JsonBody.parse(body, FIELDS);
        String name = json.requiredString("name");
        String text = json.requiredString("recipe");
        boolean platform = json.bool("platform", false);
        Recipe recipe = RecipeParser.parse(text);
        Machine machine = new Machine(
                json.integer("vcpus", limits.minVcpus(), limits.maxVcpus()).orElse(limits.defaultVcpus()),
                json.integer("memory_mb", limits.minMemoryMb(), limits.maxMemoryMb()).orElse(limits.defaultMemoryMb()),
                json.integer("disk_size_mb", limits.minDiskSizeMb(), limits.maxDiskSizeMb()).orElse(DEFAULT_DISK_MB));
        String archive = json.string("archive").orElse(null);
        return queue(caller, platform, name, text, recipe, archive, machine, json.bool("skip_pre_post", false),
                json.bool("no_cache", false));
    }

    /** Checks a build of {@code recipe} and queues it (also E2B's path, with its own steps). */
    public Build queue(Caller caller, boolean platform, String name, String text, Recipe recipe, String archive,
                       Machine machine, boolean skipPrePost, boolean noCache) {
        UUID owner = owner(caller, platform, name);
        check(caller.requireTeam(), recipe, archive);
        Build build = new Build(UUID.randomUUID(), owner, caller.requireTeam(), name, text, recipe, archive,
                machine.vcpus(), machine.memoryMb(), machine.diskSizeMb(), skipPrePost, noCache, BuildStatus.QUEUED,
                null, 0, BuildPlan.total(recipe, skipPrePost), null, 0, 0, false, null, null, null, null, null, null);
        admit(build);
        workers.wake();
        return store.find(build.id()).orElseThrow();
    }

    /** The template the builder of an import boots: a base image with the tools the import uses (GNU tar, ldd). */
    static final String IMPORT_BUILDER = "debian";
    /** Room an import needs on the builder's disk beyond twice the tarball (tar + its files): the builder's own files. */
    private static final long IMPORT_HEADROOM_MB = 2048;

    /**
     * {@code POST /v1/template-imports?name=…&disk_size_mb=…}: a root filesystem tarball
     * ({@code docker export}'s tar, or tar.gz), streamed to disk and checked entry by entry, then
     * queued as a build that turns a builder's disk into it and makes an image template of it
     * (the disk size is the template's). 400 naming the entry for anything refused; nothing queued.
     */
    Build importRootFilesystem(Caller caller, String name, String diskSizeMb, InputStream tarball) {
        if (name == null) {
            throw ApiException.invalid("'name' (query parameter) is required");
        }
        UUID owner = owner(caller, false, name, true);
        int disk = DEFAULT_DISK_MB;
        if (diskSizeMb != null && !diskSizeMb.isEmpty()) {
            if (!diskSizeMb.matches("\\d{1,7}") || Integer.parseInt(diskSizeMb) < limits.minDiskSizeMb()
                    || Integer.parseInt(diskSizeMb) > limits.maxDiskSizeMb()) {
                throw ApiException.invalid("'disk_size_mb' must be from " + limits.minDiskSizeMb() + " to " + limits.maxDiskSizeMb());
            }
            disk = Integer.parseInt(diskSizeMb);
        }
        if (sandboxes.findTemplate(caller.requireTeam(), IMPORT_BUILDER).isEmpty()) {
            throw new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "the base image '" + IMPORT_BUILDER + "' that imports run in is missing");
        }
        // Refused before the tarball is streamed to disk; admit(…) below decides for good.
        store.precheck(h -> requireBuildRoom(h, caller.requireTeam()));
        String key = files.storeRootFilesystem(caller.requireTeam(), tarball);
        long tarMb = files.size(files.find(caller.requireTeam(), key).orElseThrow()) >> 20;
        long needMb = 2 * tarMb + IMPORT_HEADROOM_MB;
        if (needMb > disk) {
            throw ApiException.invalid("a root filesystem of " + tarMb + " MiB needs 'disk_size_mb' of at least " + needMb);
        }
        Recipe recipe = new Recipe(IMPORT_BUILDER, List.of(new Step.Import(0, key)));
        Machine machine = new Machine(limits.defaultVcpus(), limits.defaultMemoryMb(), disk);
        Build build = new Build(UUID.randomUUID(), owner, caller.requireTeam(), name, "IMPORT " + key, recipe, null,
                machine.vcpus(), machine.memoryMb(), machine.diskSizeMb(), true, true, BuildStatus.QUEUED,
                null, 0, BuildPlan.total(recipe, true), null, 0, 0, false, null, null, null, null, null, null);
        admit(build);
        workers.wake();
        return store.find(build.id()).orElseThrow();
    }

    /** Reserves a build whose steps come later (E2B's two calls); it is never run before {@link #queueReserved}. */
    public Build reserve(Caller caller, String name, Machine machine) {
        UUID owner = owner(caller, false, name);
        Build build = new Build(UUID.randomUUID(), owner, caller.requireTeam(), name, "", null, null,
                machine.vcpus(), machine.memoryMb(), machine.diskSizeMb(), true, false, BuildStatus.PENDING,
                null, 0, 0, null, 0, 0, false, null, null, null, null, null, null);
        admit(build);
        return build;
    }

    /** Gives a reserved build its steps and queues it. */
    public Build queueReserved(Caller caller, Build build, String text, Recipe recipe, boolean noCache) {
        check(caller.requireTeam(), recipe, null);
        if (!store.queuePending(build.id(), text, recipe, BuildPlan.total(recipe, build.skipPrePost()), noCache)) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the build was already started or cancelled");
        }
        workers.wake();
        return store.find(build.id()).orElseThrow();
    }

    /**
     * Inserts {@code build} if its team has room for one more unfinished build: the count and the
     * insert run in one transaction under the team's admission lock (the one sandbox admission
     * takes), so submissions racing for the last slot, on any control plane, cannot both get it.
     * 429 {@code quota_exceeded} or 409 (an unfinished build has the name) otherwise, nothing written.
     */
    private void admit(Build build) {
        if (!store.insert(build, h -> requireBuildRoom(h, build.requesterTeam()))) {
            throw new ApiException(ErrorCode.CONFLICT, "a build of a template named '" + build.name() + "' is not finished yet");
        }
    }

    /** 429 when {@code team} already has as many unfinished builds as its quota allows; takes the team's lock first. */
    private void requireBuildRoom(Handle h, UUID team) {
        Admission.lockTeam(h, team);
        int max = quotas.of(h, team).maxConcurrentBuilds();
        int unfinished = BuildStore.unfinishedOfTeam(h, team).size();
        if (unfinished >= max) {
            throw new ApiException(ErrorCode.QUOTA_EXCEEDED, "your team may run " + max + " template builds at once and has "
                    + unfinished + " queued or running: wait for one to finish, or ask an admin for more");
        }
    }

    private UUID owner(Caller caller, boolean platform, String name) {
        return owner(caller, platform, name, false);
    }

    /** The owner of the template a build makes; {@code imported}: an import may replace an image made earlier too. */
    private UUID owner(Caller caller, boolean platform, String name, boolean imported) {
        if (!TemplateStore.SNAPSHOT_NAME.matcher(name).matches()) {
            throw ApiException.invalid("'name' must be 1 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
        if (platform && !caller.admin()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only admins build platform templates");
        }
        UUID owner = platform ? Template.PLATFORM_TEAM : caller.requireTeam();
        if (!platform && templates.findOwn(Template.PLATFORM_TEAM, name).isPresent()) {
            throw new ApiException(ErrorCode.CONFLICT, "a platform template has that name");
        }
        templates.findOwn(owner, name).ifPresent(existing -> {
            if (!existing.isSnapshot() && !(imported && existing.isMade())) {
                throw new ApiException(ErrorCode.CONFLICT, "a template of that name exists and is not a built one");
            }
        });
        return owner;
    }

    private void check(UUID team, Recipe recipe, String archive) {
        if (sandboxes.findTemplate(team, recipe.from()).isEmpty()) {
            throw new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "FROM: no template named '" + recipe.from() + "' for your team");
        }
        if (archive != null && files.find(team, archive).isEmpty()) {
            throw ApiException.invalid("'archive' names no archive of your team (upload it to /v1/build-archives first)");
        }
        for (Step step : recipe.steps()) {
            if (step instanceof Step.Copy copy) {
                String key = copy.archive() != null ? copy.archive() : archive;
                if (key == null) {
                    throw RecipeParser.error(copy.line(), "COPY needs an archive: give 'archive'");
                }
                if (copy.archive() != null && files.find(team, key).isEmpty()) {
                    throw ApiException.invalid("COPY of '" + String.join(" ", copy.sources()) + "': its files were not uploaded");
                }
            }
        }
    }

    Build get(Caller caller, String wireId) {
        return find(caller, wireId).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no such build"));
    }

    /** A build the caller's team asked for, if the id names one. */
    public Optional<Build> find(Caller caller, String wireId) {
        return WireId.BUILD.decode(wireId).flatMap(id -> store.findForTeam(caller.requireTeam(), id));
    }

    Paging.Page<Build> page(Caller caller, String limit, String cursor) {
        Paging.PageRequest request = PAGING.request(limit, cursor);
        return PAGING.page(request, store.page(caller.requireTeam(), request),
                b -> List.of(Paging.micros(b.createdAt()), b.id().toString()));
    }

    /** Cancels a build: at once if queued, within a step's cancellation if running; a finished one is 409. */
    public Build cancel(Caller caller, Build build) {
        if (build.status().isFinal()) {
            throw new ApiException(ErrorCode.INVALID_STATE, "the build is already " + build.status().wire());
        }
        workers.cancelLocal(build.id());
        return store.requestCancel(build.id()).orElseThrow();
    }

    /** Lines from the {@code offset}-th on (E2B's {@code logsOffset}). */
    public List<LogLine> logsFrom(Build build, int offset, int limit) {
        return store.logsFrom(build.id(), offset, limit);
    }

    /** Cancels every unfinished build a deleted team asked for or owns. */
    public void cancelAllOfTeam(UUID team) {
        for (UUID id : store.unfinishedOfTeam(team)) {
            workers.cancelLocal(id);
            store.requestCancel(id);
        }
    }

    public List<LogLine> logs(Build build, long after, int limit) {
        return store.logs(build.id(), after, limit);
    }

    /** The build as it is now. */
    public Build reload(Build build) {
        return store.find(build.id()).orElseThrow();
    }

    /** Stores an uploaded archive for the caller's team; returns its key. */
    public String storeArchive(Caller caller, String key, InputStream body) {
        return files.store(caller.requireTeam(), key, body);
    }

    public boolean hasArchive(Caller caller, String key) {
        return files.find(caller.requireTeam(), key).isPresent();
    }

    /** The latest build of the caller's team's template {@code name}. */
    public Optional<Build> latest(Caller caller, String name) {
        return store.latestNamed(caller.requireTeam(), name);
    }

    static Instant now() {
        return Instant.now();
    }
}
