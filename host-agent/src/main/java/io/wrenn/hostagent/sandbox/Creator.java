package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.vm.Accelerator;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates sandboxes: checks what was asked, claims the id, then boots an image template
 * ({@link ColdBooter}) or restores a snapshot ({@link Restorer}), undoing every step taken when a
 * later one fails.
 */
final class Creator {

    private static final Logger LOG = LoggerFactory.getLogger(Creator.class);
    private static final int DEFAULT_VCPUS = 1;
    private static final int DEFAULT_MEMORY_MB = 512;
    private static final int DEFAULT_DISK_MB = 5120;
    private static final SecureRandom RANDOM = new SecureRandom();
    static final Pattern ACCESS_TOKEN = Pattern.compile("[A-Za-z0-9_-]{32,128}");

    private final SandboxHost host;
    private final ColdBooter coldBooter;
    private final Restorer restorer;
    private final WarmStarts warmStarts;

    Creator(SandboxHost host, ColdBooter coldBooter, Restorer restorer, WarmStarts warmStarts) {
        this.host = host;
        this.coldBooter = coldBooter;
        this.restorer = restorer;
        this.warmStarts = warmStarts;
    }

    /** See {@link SandboxManager#create(SandboxSpec, String)}. */
    Sandbox create(SandboxSpec requested, String accessToken) {
        if (accessToken != null && !accessToken.isEmpty() && !ACCESS_TOKEN.matcher(accessToken).matches()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "envd_access_token must be 32 to 128 characters [A-Za-z0-9_-]");
        }
        host.refuseWhenClosing();
        SandboxSpec asked = validate(requested);
        Template template = host.templates.find(asked.templateTeamId(), asked.templateName())
                .orElseThrow(() -> new SandboxException(SandboxException.Kind.NOT_FOUND,
                        "template " + asked.templateName() + " is not on this host"));
        SandboxSpec spec = template.isSnapshot() ? machineOfSnapshot(asked, requested, template) : asked;
        int diskMb = spec.diskSizeMb() == 0 ? (int) Math.max(DEFAULT_DISK_MB, template.imageSizeMb()) : spec.diskSizeMb();
        if (diskMb < template.minDiskSizeMb()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "disk_size_mb " + diskMb
                    + " is smaller than template " + template.name() + " needs (" + template.minDiskSizeMb() + " MiB)");
        }
        // The template's environment first, the create's own over it.
        Map<String, String> env = new java.util.HashMap<>(template.defaultEnv());
        env.putAll(spec.env());
        SandboxSpec effective = new SandboxSpec(spec.sandboxId(), spec.teamId(), spec.templateTeamId(),
                spec.templateName(), spec.vcpus(), spec.memoryMb(), diskMb, spec.timeoutS(), env, spec.onTimeout(), spec.network());
        long startedAt = host.clock.millis();
        SandboxRecord initial = new SandboxRecord(effective, 0, host.accelerator().wireName(),
                template.defaultUser(), template.defaultWorkdir(), startedAt, SandboxHost.expiry(startedAt, effective.timeoutS()), 0,
                accessToken == null || accessToken.isEmpty() ? newAccessToken() : accessToken,
                Sandbox.State.RUNNING, 0, !template.isSnapshot());

        Sandbox fresh = new Sandbox(initial, Sandbox.State.STARTING);
        fresh.lock.lock();
        try {
            Sandbox existing = host.sandboxes.putIfAbsent(effective.sandboxId(), fresh);
            if (existing != null) {
                return existingOnCreate(existing);
            }
            if (Files.exists(host.layout.sandboxDir(effective.sandboxId()))) {
                host.sandboxes.remove(effective.sandboxId(), fresh);
                throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "sandbox is being cleaned up; retry later");
            }
            Undo undo = new Undo();
            try {
                if (template.isSnapshot()) {
                    restorer.restore(fresh, template, undo);
                    fresh.startedFrom(Sandbox.StartedFrom.SNAPSHOT);
                } else {
                    startImage(fresh, template, undo);
                }
                return fresh;
            } catch (RuntimeException e) {
                undo.runAll();
                host.sandboxes.remove(effective.sandboxId(), fresh);
                fresh.state(Sandbox.State.STOPPED);
                throw asSandboxException(e);
            }
        } finally {
            fresh.lock.unlock();
        }
    }

    /**
     * A sandbox of an image: restored from the image's warm snapshot when one matches, else booted
     * cold (and the image's warm snapshot primed in the background for the creates after it). A
     * warm start that fails is undone and the sandbox boots cold: the snapshot is an optimisation,
     * never a reason for a create to fail.
     */
    private void startImage(Sandbox fresh, Template image, Undo undo) {
        SandboxRecord asked = fresh.record();
        Optional<WarmStarts.Warm> warm = warmStarts.find(image, asked.spec());
        if (warm.isPresent()) {
            try {
                restorer.restore(fresh, warm.get().template(), undo);
                fresh.startedFrom(Sandbox.StartedFrom.WARM);
                return;
            } catch (RuntimeException e) {
                undo.runAll();
                host.refuseWhenClosing();
                if ((e instanceof SandboxException s && s.kind() == SandboxException.Kind.RESOURCE_EXHAUSTED) || DiskFull.named(e)) {
                    throw e; // the host lacks room, not the snapshot anything: a cold boot would meet the same
                }
                warmStarts.restoreFailed(warm.get(), e);
                fresh.record(asked);
            }
        }
        coldBooter.boot(fresh, image, undo, host.bootPolicy);
        fresh.startedFrom(Sandbox.StartedFrom.COLD);
        warmStarts.coldBooted(image, asked.spec());
    }

    private Sandbox existingOnCreate(Sandbox existing) {
        existing.lock.lock();
        try {
            if (existing.state() == Sandbox.State.RUNNING && host.vms.isRunning(existing.pid(), host.qmpSocket(existing))) {
                return existing;
            }
        } finally {
            existing.lock.unlock();
        }
        throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "sandbox exists but is not running");
    }

    private static SandboxSpec validate(SandboxSpec spec) {
        if (!Layout.isUuid(spec.sandboxId())) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "sandbox_id must be a canonical UUID");
        }
        if (!Layout.isUuid(spec.templateTeamId()) || !Layout.isTemplateName(spec.templateName())) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "template_team_id or template_name is not valid");
        }
        if (spec.vcpus() < 0 || spec.vcpus() > 64 || spec.memoryMb() < 0 || spec.memoryMb() > 1 << 20
                || spec.diskSizeMb() < 0 || spec.timeoutS() < 0) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "vcpus, memory_mb, disk_size_mb or timeout_s out of range");
        }
        if (spec.memoryMb() != 0 && spec.memoryMb() < 128) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "memory_mb must be at least 128");
        }
        return new SandboxSpec(spec.sandboxId(), spec.teamId(), spec.templateTeamId(), spec.templateName(),
                spec.vcpus() == 0 ? DEFAULT_VCPUS : spec.vcpus(),
                spec.memoryMb() == 0 ? DEFAULT_MEMORY_MB : spec.memoryMb(),
                spec.diskSizeMb(), spec.timeoutS(), spec.env(), spec.onTimeout(), spec.network());
    }

    /** A snapshot's machine is fixed: memory is restored as it was saved. Asking for another is an error. */
    private static SandboxSpec machineOfSnapshot(SandboxSpec spec, SandboxSpec requested, Template template) {
        Template.Snapshot snapshot = template.snapshot();
        if ((requested.vcpus() != 0 && requested.vcpus() != snapshot.vcpus())
                || (requested.memoryMb() != 0 && requested.memoryMb() != snapshot.memoryMb())) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "snapshot " + template.name() + " has "
                    + snapshot.vcpus() + " vcpus and " + snapshot.memoryMb() + " MiB of memory; a sandbox made from it cannot change them");
        }
        return new SandboxSpec(spec.sandboxId(), spec.teamId(), spec.templateTeamId(), spec.templateName(),
                snapshot.vcpus(), snapshot.memoryMb(), spec.diskSizeMb(), spec.timeoutS(), spec.env(), spec.onTimeout(), spec.network());
    }

    /** See {@link SandboxManager#bootsWith(Accelerator, Template, Duration)}. */
    boolean bootsWith(Accelerator accel, Template template, Duration deadline) {
        String id = UUID.randomUUID().toString();
        SandboxSpec spec = new SandboxSpec(id, Layout.PLATFORM_TEAM, template.teamId(), template.name(), 1, 256,
                (int) Math.max(template.imageSizeMb(), 1), 0, Map.of(), null, null);
        SandboxRecord record = new SandboxRecord(spec, 0, accel.wireName(), template.defaultUser(),
                template.defaultWorkdir(), host.clock.millis(), 0, 0, newAccessToken(), Sandbox.State.RUNNING, 0, true);
        Sandbox probe = new Sandbox(record, Sandbox.State.STARTING);
        host.sandboxes.put(id, probe);
        Undo undo = new Undo();
        try {
            coldBooter.boot(probe, template, undo, new BootPolicy(deadline, 1));
            return true;
        } catch (RuntimeException e) {
            LOG.info("probe boot with {} failed: {}", accel.wireName(), e.getMessage());
            return false;
        } finally {
            undo.runAll();
            host.sandboxes.remove(id);
        }
    }

    private static String newAccessToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A failure of a create (or a resume) as the caller sees it: unexpected ones are logged with their cause. */
    static SandboxException asSandboxException(RuntimeException e) {
        if (e instanceof SandboxException s) {
            return s;
        }
        if (DiskFull.named(e)) {
            return DiskFull.exception("the sandbox's VM could not be started", e);
        }
        if (e instanceof GuestException g) {
            LOG.warn("guest agent initialisation failed", g);
            return new SandboxException(SandboxException.Kind.UNAVAILABLE, "the guest agent failed to initialise", g);
        }
        LOG.error("sandbox creation failed", e);
        return new SandboxException(SandboxException.Kind.INTERNAL, "sandbox creation failed", e);
    }
}
