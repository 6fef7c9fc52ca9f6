package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.layout.Layout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes image templates from a running sandbox's disk: no memory, so they cold-boot at any
 * machine size. The guest flushes its writes, its vCPUs stop while the overlay is flattened into
 * a raw image (then it runs on), and the copy is checked (its journal replayed) and given a
 * compact twin for smaller disks. Written to staging and renamed into place like a snapshot, so
 * a crash leaves only staging (emptied at the next start) and a stopped VM, which the next agent
 * runs on.
 */
final class ImageMaker {

    private static final Logger LOG = LoggerFactory.getLogger(ImageMaker.class);

    private final SandboxHost host;
    private final LiveSandboxes live;

    ImageMaker(SandboxHost host, LiveSandboxes live) {
        this.host = host;
        this.live = live;
    }

    /**
     * See {@link SandboxManager#makeImage}. Empty {@code defaultUser} or {@code defaultWorkdir}
     * take the sandbox's own; {@code defaultEnv} is the template's only (a sandbox's environment
     * may hold its secrets and is never copied).
     */
    Template make(String sandboxId, String teamId, String name, String defaultUser, String defaultWorkdir,
            Map<String, String> defaultEnv) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "team_id or name is not valid");
        }
        host.refuseWhenClosing();
        long t0 = System.nanoTime();
        Path staging = TemplateStaging.create(host, "image");
        Layout.ImageFiles files = new Layout.ImageFiles(staging);
        try {
            SandboxRecord record = copyDisk(live.known(sandboxId), teamId, name, files);
            long imageMb = record.spec().diskSizeMb();
            host.disks.repairFilesystem(files.rootfs());
            // room for the files plus a margin, as images/build.sh gives its compact images
            long compactMb = (host.disks.minimumFilesystemMb(files.rootfs()) * 5 / 4 + 64 + 31) / 32 * 32;
            if (compactMb < imageMb) {
                host.disks.copySparse(files.rootfs(), files.compactRootfs());
                host.disks.resizeFilesystem(files.compactRootfs(), compactMb);
            } else {
                compactMb = 0;
            }
            new ImageDescription(name, defaultUser.isEmpty() ? record.defaultUser() : defaultUser,
                    defaultWorkdir.isEmpty() ? record.defaultWorkdir() : defaultWorkdir, defaultEnv, imageMb, compactMb,
                    host.clock.millis()).write(files.json());
            host.crashPoint("image.written");
            TemplateStaging.promote(host, staging, teamId, name);
        } catch (IOException | RuntimeException e) {
            throw TemplateStaging.failed(staging, e, name, "image");
        }
        LOG.info("image {}/{} made from sandbox {} in {} ms", teamId, name, sandboxId, (System.nanoTime() - t0) / 1_000_000);
        return host.templates.find(teamId, name)
                .orElseThrow(() -> new SandboxException(SandboxException.Kind.INTERNAL, "the image vanished"));
    }

    /** Under the sandbox's lock: the guest's writes flushed, its disk flattened while its vCPUs stand still. */
    private SandboxRecord copyDisk(Sandbox sandbox, String teamId, String name, Layout.ImageFiles files) {
        sandbox.lock.lock();
        try {
            if (sandbox.state() != Sandbox.State.RUNNING) {
                throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION,
                        "only a running sandbox's disk can become an image; resume it first");
            }
            if (host.templates.nameTaken(teamId, name) || host.templates.nameTaken(Layout.PLATFORM_TEAM, name)) {
                throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "a template named " + name + " exists");
            }
            syncGuest(sandbox);
            Path qmp = host.qmpSocket(sandbox);
            host.vmControl.stop(qmp);
            host.crashPoint("image.copying");
            try {
                host.disks.flattenRaw(host.layout.sandboxOverlay(sandbox.id()), files.rootfs());
            } finally {
                host.vmControl.cont(qmp);
            }
            return sandbox.record();
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** {@code sync} in the guest: what its page cache holds reaches the disk before the copy. */
    static void syncGuest(Sandbox sandbox) {
        try {
            sandbox.guest().sync();
        } catch (RuntimeException e) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the guest did not flush its disk", e);
        }
    }
}
