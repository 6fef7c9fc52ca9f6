package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.vm.VmBuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes snapshot templates of sandboxes: the files are written to a staging directory and
 * promoted by renaming it into place, so a crash leaves only staging (removed at the next start).
 */
final class Snapshotter {

    private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);

    private final SandboxHost host;
    private final LiveSandboxes live;
    private final Pauser pauser;
    private final Resumer resumer;

    Snapshotter(SandboxHost host, LiveSandboxes live, Pauser pauser, Resumer resumer) {
        this.host = host;
        this.live = live;
        this.pauser = pauser;
        this.resumer = resumer;
    }

    /** See {@link SandboxManager#snapshot(String, String, String, GuestDefaults)}. */
    Template snapshot(String sandboxId, String teamId, String name, GuestDefaults defaults) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "team_id or name is not valid");
        }
        host.refuseWhenClosing();
        Sandbox sandbox = live.known(sandboxId);
        sandbox.lock.lock();
        try {
            if (host.templates.nameTaken(teamId, name) || host.templates.nameTaken(Layout.PLATFORM_TEAM, name)) {
                throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "a template named " + name + " exists");
            }
            long t0 = System.nanoTime();
            Path staging = TemplateStaging.create(host, "snapshot");
            Layout.SnapshotFiles files = new Layout.SnapshotFiles(staging);
            try {
                Map<String, String> env = templateEnv(sandbox.record(), defaults);
                VmBuild savedBy = writeFiles(sandbox, files, defaults, env);
                SandboxRecord record = sandbox.record();
                new SnapshotDescription(name, "snapshot", record.spec().vcpus(), record.spec().memoryMb(),
                        record.spec().diskSizeMb(), defaults.userOr(record.defaultUser()),
                        defaults.workdirOr(record.defaultWorkdir()), sandbox.id(),
                        host.clock.millis(), record.envdAccessToken(), savedBy, env).write(files.json());
                host.crashPoint("snapshot.written");
                TemplateStaging.promote(host, staging, teamId, name);
            } catch (IOException | RuntimeException e) {
                throw TemplateStaging.failed(staging, e, name, "snapshot");
            }
            host.crashPoint("snapshot.promoted");
            LOG.info("snapshot {}/{} made from sandbox {} in {} ms", teamId, name, sandbox.id(),
                    (System.nanoTime() - t0) / 1_000_000);
            return host.templates.find(teamId, name)
                    .orElseThrow(() -> new SandboxException(SandboxException.Kind.INTERNAL, "the snapshot vanished"));
        } finally {
            sandbox.lock.unlock();
        }
    }

    /**
     * State, memory and disk of a running sandbox (it keeps running: its vCPUs stop while the
     * state is saved and its RAM copied) or a paused one (it stays paused).
     *
     * <p>A sandbox whose RAM is still a private mapping of another snapshot (one made from a
     * snapshot, never paused since) has no memory file of its own: it is paused and resumed first,
     * which gives it one. Likewise a paused one whose saved state holds its RAM is resumed,
     * snapshotted and paused again.
     *
     * @return the QEMU, machine and kernel that saved the state
     */
    /**
     * The environment of the snapshot's sandboxes: the defaults of the template the source
     * sandbox came from, with {@code defaults}' over them. The source's own variables (those of
     * its create) are its creator's and are left out.
     */
    private Map<String, String> templateEnv(SandboxRecord record, GuestDefaults defaults) {
        Map<String, String> env = new java.util.HashMap<>(host.templates.find(record.spec().templateTeamId(),
                record.spec().templateName()).map(Template::defaultEnv).orElse(Map.of()));
        env.putAll(defaults.env());
        return Map.copyOf(env);
    }

    private VmBuild writeFiles(Sandbox sandbox, Layout.SnapshotFiles files, GuestDefaults defaults,
            Map<String, String> env) throws IOException {
        switch (sandbox.state()) {
            case RUNNING -> {
                if (!sandbox.record().ownMemory()) {
                    long expiresAt = sandbox.record().expiresAtMs();
                    pauser.pauseLocked(sandbox);
                    resumer.resumeLocked(sandbox, 0, expiresAt);
                }
                // After the resume above, whose /init would have put the sandbox's own defaults back.
                applyDefaults(sandbox, defaults, env);
                try {
                    snapshotRunning(sandbox, files);
                } finally {
                    restoreOwnDefaults(sandbox, defaults);
                }
                return host.vmBuild();
            }
            case PAUSED -> {
                if (!defaults.isEmpty()) {
                    throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION,
                            "defaults can be given only when snapshotting a running sandbox");
                }
                PauseState pause = PauseState.read(host.layout.sandboxPauseDir(sandbox.id()));
                if (pause != null && pause.diskOnly()) {
                    throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION,
                            "the sandbox was paused without its memory: resume it before taking a snapshot");
                }
                if (pause != null && pause.ignoreShared()) {
                    snapshotPaused(sandbox, files);
                    return pause.vm();
                } else {
                    long expiresAt = sandbox.record().expiresAtMs();
                    resumer.resumeLocked(sandbox, 0, expiresAt);
                    try {
                        snapshotRunning(sandbox, files);
                    } finally {
                        // Asked to snapshot a paused sandbox, it ends paused, whether the snapshot worked or not.
                        pauser.pauseLocked(sandbox);
                    }
                    return host.vmBuild();
                }
            }
            default -> throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION,
                    "sandbox is " + sandbox.state().name().toLowerCase(Locale.ROOT) + ", not running or paused");
        }
    }

    /** Gives the guest's envd the template's defaults ({@code env} replaces its environment), so the saved memory holds them. */
    private void applyDefaults(Sandbox sandbox, GuestDefaults defaults, Map<String, String> env) {
        if (defaults.isEmpty()) {
            return;
        }
        SandboxRecord record = sandbox.record();
        boolean done = sandbox.guest().tryInit(env, defaults.userOr(record.defaultUser()),
                defaults.workdirOr(record.defaultWorkdir()), host.clock.instant(), GuestStart.entropy(),
                record.envdAccessToken(), java.time.Duration.ofSeconds(10));
        if (!done) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the guest did not take the template's defaults");
        }
    }

    /** The source sandbox, which runs on, gets its own environment, user and workdir back after {@link #applyDefaults}. */
    private void restoreOwnDefaults(Sandbox sandbox, GuestDefaults defaults) {
        if (defaults.isEmpty()) {
            return;
        }
        SandboxRecord record = sandbox.record();
        if (!sandbox.guest().tryInit(record.spec().env(), record.defaultUser(), record.defaultWorkdir(),
                host.clock.instant(), GuestStart.entropy(), record.envdAccessToken(), java.time.Duration.ofSeconds(10))) {
            LOG.warn("sandbox {} did not take its own defaults back after a snapshot", sandbox.id());
        }
    }

    private void snapshotRunning(Sandbox sandbox, Layout.SnapshotFiles files) {
        saveRunning(sandbox, files, () -> host.crashPoint("snapshot.saving"));
    }

    /**
     * Writes a running VM's state, memory and flattened disk into {@code files}, its vCPUs stopped
     * meanwhile ({@code stopped} runs once they are), and runs it on. A snapshot's way, and a warm
     * snapshot primer's (which passes no crash point: tests stop agents at a snapshot's steps).
     */
    void saveRunning(Sandbox sandbox, Layout.SnapshotFiles files, Runnable stopped) {
        String id = sandbox.id();
        Path qmp = host.qmpSocket(sandbox);
        host.vmControl.stop(qmp);
        stopped.run();
        try {
            // Stopped, the RAM file and the overlay hold still while they are copied.
            host.vmControl.save(qmp, files.state(), true);
            copyMemoryAndDisk(id, files);
        } finally {
            host.vmControl.cont(qmp);
        }
    }

    private void snapshotPaused(Sandbox sandbox, Layout.SnapshotFiles files) throws IOException {
        String id = sandbox.id();
        Files.copy(host.layout.sandboxPauseDir(id).resolve(PauseState.STATE), files.state());
        copyMemoryAndDisk(id, files);
    }

    private void copyMemoryAndDisk(String id, Layout.SnapshotFiles files) {
        host.disks.copySparse(host.layout.sandboxMemory(id), files.memory());
        host.disks.flatten(host.layout.sandboxOverlay(id), files.disk());
    }
}
