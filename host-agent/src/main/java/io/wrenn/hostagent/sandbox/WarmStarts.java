package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.GuestKernelArgs;
import io.wrenn.hostagent.vm.QemuCommandLine;
import io.wrenn.hostagent.vm.QemuJail;
import io.wrenn.hostagent.vm.VmBuild;
import io.wrenn.hostagent.vm.VmSpec;
import io.wrenn.hostagent.warm.WarmKey;
import io.wrenn.hostagent.warm.WarmStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm starts: a create of a platform image is restored from a snapshot of that image freshly
 * booted (a "warm snapshot", made once per machine and key by {@link WarmPrimer}) instead of
 * booting it, when one matches; otherwise it boots cold as before and the key is primed in the
 * background, one primer at a time, for the creates after it. Nothing here may fail a create:
 * a key that cannot be primed or restored is avoided for a while and its creates boot cold.
 *
 * <p>Only platform images (shared by every team): an image made from a sandbox's disk holds a
 * team's files, and its warm snapshot would be a team's memory in the machine-wide store.
 */
final class WarmStarts {

    private static final Logger LOG = LoggerFactory.getLogger(WarmStarts.class);
    /** A key whose priming or restore failed is left alone this long (creates of it boot cold). */
    static final Duration AVOID_AFTER_FAILURE = Duration.ofHours(1);
    /** Bumped when what a warm snapshot holds changes in a way its key's facts do not show. */
    private static final int FORMAT = 2;
    /** How long a stopping agent waits for the primer to give back its VM. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(90);

    /** A warm snapshot that serves a create: its key and its files as a snapshot template. */
    record Warm(WarmKey key, Template template) {
    }

    private final SandboxHost host;
    private final WarmStore store;
    private final WarmPrimer primer;
    private volatile boolean enabled;
    private final ExecutorService priming = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("warm-primer").factory());
    /** Keys queued or being primed by this agent. */
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pending = new AtomicInteger();
    /** Keys not to prime or restore until the time (ms) given, after a failure. */
    private final Map<String, Long> avoidUntil = new ConcurrentHashMap<>();
    /** Keys whose failure was logged at WARN already: a failure is said once, loudly. */
    private final Set<String> failureSaid = ConcurrentHashMap.newKeySet();

    WarmStarts(SandboxHost host, WarmPrimer primer) {
        this.host = host;
        this.store = new WarmStore(host.layout);
        this.primer = primer;
    }

    void enabled(boolean value) {
        enabled = value;
    }

    boolean enabled() {
        return enabled;
    }

    /** The warm snapshot that can serve a create of {@code image} as {@code spec} asks, if one is ready. */
    Optional<Warm> find(Template image, SandboxSpec spec) {
        if (!eligible(image, spec)) {
            return Optional.empty();
        }
        try {
            WarmKey key = key(image, spec.vcpus(), spec.memoryMb());
            if (avoided(key)) {
                return Optional.empty();
            }
            Optional<Layout.SnapshotFiles> files = store.find(key);
            if (files.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Warm(key, template(image, files.get())));
        } catch (IOException | RuntimeException e) {
            LOG.warn("no warm start for {}: its warm snapshot could not be read: {}", image.name(), e.toString());
            return Optional.empty();
        }
    }

    /**
     * A create of {@code image} as {@code spec} booted cold: its key is primed in the background
     * unless it is ready. Never throws: the create it follows has succeeded.
     */
    void coldBooted(Template image, SandboxSpec spec) {
        if (!eligible(image, spec) || host.closing()) {
            return;
        }
        WarmKey key;
        try {
            key = key(image, spec.vcpus(), spec.memoryMb());
            if (avoided(key) || store.find(key).isPresent() || !queued.add(key.toString())) {
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("no warm snapshot of {}: its key could not be read: {}", image.name(), e.toString());
            return;
        }
        pending.incrementAndGet();
        try {
            priming.execute(() -> {
                try {
                    prime(image, key, spec.vcpus(), spec.memoryMb());
                } finally {
                    queued.remove(key.toString());
                    pending.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(key.toString());
            pending.decrementAndGet();
        }
    }

    /** A restore from {@code warm} failed: its creates boot cold for a while. */
    void restoreFailed(Warm warm, RuntimeException cause) {
        avoid(warm.key(), "a sandbox could not be restored from it", cause);
    }

    /** Whether no priming is queued or running in this agent. */
    boolean idle() {
        return pending.get() == 0;
    }

    /**
     * Stops priming: nothing new starts, and a primer at work gives up (the agent's closing makes
     * its boot give up) and takes its VM, namespace and files back before this returns.
     */
    void close() {
        // No interrupt: the primer must be able to take back its VM and namespace; the agent's
        // closing makes a boot give up at once, and a queued prime sees it and does nothing.
        priming.shutdown();
        try {
            if (!priming.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("the warm snapshot primer did not stop within {}; the next agent on this home removes what it left", CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void prime(Template image, WarmKey key, int vcpus, int memoryMb) {
        if (host.closing()) {
            return;
        }
        try {
            primer.prime(image, key, vcpus, memoryMb, () -> key(image, vcpus, memoryMb));
        } catch (RuntimeException e) {
            if (host.closing()) {
                LOG.info("warm snapshot {} not made: the agent is stopping", key);
                return;
            }
            avoid(key, "it could not be made", e);
        }
    }

    private void avoid(WarmKey key, String what, RuntimeException cause) {
        avoidUntil.put(key.toString(), host.clock.millis() + AVOID_AFTER_FAILURE.toMillis());
        if (failureSaid.add(key.toString())) {
            LOG.warn("warm snapshot {}: {}; creates of it boot cold for the next {}: {}", key, what, AVOID_AFTER_FAILURE, cause.toString());
        } else {
            LOG.info("warm snapshot {}: {} again: {}", key, what, cause.toString());
        }
    }

    private boolean avoided(WarmKey key) {
        Long until = avoidUntil.get(key.toString());
        return until != null && host.clock.millis() < until;
    }

    /**
     * Platform images only, at a disk no smaller than the image (a smaller one boots the compact
     * image, which the snapshot's disk is not).
     */
    private boolean eligible(Template image, SandboxSpec spec) {
        return enabled && !image.isSnapshot() && !image.made() && Layout.PLATFORM_TEAM.equals(image.teamId())
                && spec.diskSizeMb() >= image.imageSizeMb();
    }

    /** The image's warm snapshot as a snapshot template: the image's name and defaults, the snapshot's files. */
    private static Template template(Template image, Layout.SnapshotFiles files) throws IOException {
        SnapshotDescription description = SnapshotDescription.read(files.json());
        return new Template(image.teamId(), image.name(), files.disk(), image.defaultUser(), image.defaultWorkdir(),
                description.diskSizeMb(), 0, new Template.Snapshot(description.vcpus(), description.memoryMb(), files.memory(),
                files.state(), files.json(), java.nio.file.Files.isRegularFile(files.console()) ? files.console() : null,
                description.createdAtMs()), null, description.diskSizeMb(), image.defaultEnv(),
                false, description.createdAtMs());
    }

    /**
     * The key of {@code image} booted now with {@code vcpus} and {@code memoryMb}: the identities
     * of the files the VM is made of (root filesystem, kernel, initramfs, QEMU) and the QEMU
     * command line it would run, with placeholders for the paths of one sandbox.
     */
    WarmKey key(Template image, int vcpus, int memoryMb) {
        Path rootfs;
        try {
            rootfs = image.rootfs().toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the image " + image.name() + " is unreadable", e);
        }
        // A link such as base → debian is one image: one warm snapshot serves both names.
        String imageName = rootfs.getParent().getFileName().toString();
        if (!Layout.isTemplateName(imageName)) {
            imageName = image.name();
        }
        VmBuild build = host.vmBuild();
        Path qemu = WarmKey.onPath(QemuCommandLine.QEMU, System.getenv("PATH"));
        List<String> source = List.of(
                "format " + FORMAT,
                "rootfs " + WarmKey.fileIdentity(rootfs),
                "kernel " + WarmKey.fileIdentity(host.layout.kernelImage()),
                "kernel-sha256 " + build.kernelSha256(),
                "initrd " + WarmKey.fileIdentity(host.layout.initrdImage()),
                "qemu " + build.qemu(),
                "qemu-binary " + (qemu == null ? "not on PATH" : WarmKey.fileIdentity(qemu)));
        Accelerator accelerator = host.accelerator();
        Path placeholder = Path.of("/sandbox");
        VmSpec canonical = new VmSpec("namespace", Path.of("/kernel"), Path.of("/initrd"),
                GuestKernelArgs.forAccelerator(accelerator), placeholder.resolve("disk"), vcpus, memoryMb, accelerator,
                placeholder.resolve("qmp.sock"), placeholder.resolve("serial.log"), placeholder.resolve("qemu.pid"),
                placeholder.resolve("qemu.log"), placeholder.resolve("memory"), true, null,
                QemuJail.forSlot(1, placeholder.resolve("qmp.sock")));
        List<String> machine = List.of(
                "accelerator " + accelerator.wireName(),
                "machine " + build.machine(),
                "vcpus " + vcpus,
                "memory-mb " + memoryMb,
                "argv " + String.join(" ", QemuCommandLine.build(canonical)));
        return WarmKey.of(imageName, source, machine);
    }
}
