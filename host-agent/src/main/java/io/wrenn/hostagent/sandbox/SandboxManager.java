package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.disk.DiskImages;
import io.wrenn.hostagent.guest.EnvdClient;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.guest.ProcessEvent;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.net.SlotAllocator;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.GuestKernelArgs;
import io.wrenn.hostagent.vm.Migration;
import io.wrenn.hostagent.vm.VirtualMachines;
import io.wrenn.hostagent.vm.VmSpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the sandboxes of this host: creates them (disk, network, VM, guest agent), destroys them,
 * lists them, re-adopts the ones still running after an agent restart and cleans up dead ones.
 *
 * <p>The in-memory map is a cache of what is on disk and in the process table: at start it is
 * rebuilt from each {@code sandboxes/{id}/sandbox.json} and the PIDs found there; while running, a VM
 * whose QEMU is gone is dropped as soon as a list or a reaper tick sees it.
 */
public final class SandboxManager {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxManager.class);
    private static final int DEFAULT_VCPUS = 1;
    private static final int DEFAULT_MEMORY_MB = 512;
    private static final int DEFAULT_DISK_MB = 5120;
    private static final Duration FILESYSTEM_GROW_DEADLINE = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    /** An orphan namespace younger than this may be another agent's create in progress. */
    private static final Duration ORPHAN_MIN_AGE = Duration.ofMinutes(2);

    private final Layout layout;
    private final SandboxNetwork network;
    private final DiskImages disks;
    private final VirtualMachines vms;
    private final HttpClient http;
    private final TemplateCatalog templates;
    private final SandboxStore store;
    private final SlotAllocator slots;
    private final Clock clock;
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private volatile BootPolicy bootPolicy;
    private volatile Accelerator accelerator = Accelerator.TCG;
    /** Set on shutdown: no new creates, and boots in progress give up (and undo) at once. */
    private volatile boolean closing;
    /** Test hook: called at named steps of pause, resume and snapshot (a crash is simulated by throwing an Error). */
    private volatile CrashPoints crashPoints = name -> { };

    public SandboxManager(Layout layout, SandboxNetwork network, DiskImages disks, VirtualMachines vms,
            HttpClient http, TemplateCatalog templates, BootPolicy bootPolicy, Clock clock) {
        this.layout = layout;
        this.network = network;
        this.disks = disks;
        this.vms = vms;
        this.http = http;
        this.templates = templates;
        this.store = new SandboxStore(layout);
        this.slots = new SlotAllocator(network::hostVethExists);
        this.bootPolicy = bootPolicy;
        this.clock = clock;
    }

    /** Steps at which tests simulate a crash of the agent (by throwing an {@link Error}, which skips every undo). */
    @FunctionalInterface
    public interface CrashPoints {
        void reached(String step);
    }

    public void crashPoints(CrashPoints value) {
        crashPoints = value;
    }

    public void accelerator(Accelerator value) {
        accelerator = value;
    }

    public Accelerator accelerator() {
        return accelerator;
    }

    // ---------------------------------------------------------------- create

    /**
     * Boots a sandbox and returns once its guest agent has answered and been initialised. Every
     * step already taken is undone when a later one fails. Creating an id that already runs
     * returns it.
     */
    public Sandbox create(SandboxSpec requested) {
        return create(requested, "");
    }

    /**
     * As {@link #create(SandboxSpec)}, with the envd access token the caller chose (empty: a
     * random one), so the control plane can hand it to clients without asking the host.
     */
    public Sandbox create(SandboxSpec requested, String accessToken) {
        if (accessToken != null && !accessToken.isEmpty() && !ACCESS_TOKEN.matcher(accessToken).matches()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "envd_access_token must be 32 to 128 characters [A-Za-z0-9_-]");
        }
        if (closing) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
        }
        SandboxSpec asked = validate(requested);
        Template template = templates.find(asked.templateTeamId(), asked.templateName())
                .orElseThrow(() -> new SandboxException(SandboxException.Kind.NOT_FOUND,
                        "template " + asked.templateName() + " is not on this host"));
        SandboxSpec spec = template.isSnapshot() ? machineOfSnapshot(asked, requested, template) : asked;
        int diskMb = spec.diskSizeMb() == 0 ? (int) Math.max(DEFAULT_DISK_MB, template.imageSizeMb()) : spec.diskSizeMb();
        if (diskMb < template.imageSizeMb()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "disk_size_mb " + diskMb
                    + " is smaller than the template's image (" + template.imageSizeMb() + " MiB)");
        }
        SandboxSpec effective = new SandboxSpec(spec.sandboxId(), spec.teamId(), spec.templateTeamId(),
                spec.templateName(), spec.vcpus(), spec.memoryMb(), diskMb, spec.timeoutS(), spec.env(), spec.onTimeout());
        long startedAt = clock.millis();
        long expiresAt = effective.timeoutS() == 0 ? 0 : startedAt + effective.timeoutS() * 1000L;
        SandboxRecord initial = new SandboxRecord(effective, 0, accelerator.wireName(),
                template.defaultUser(), template.defaultWorkdir(), startedAt, expiresAt, 0,
                accessToken == null || accessToken.isEmpty() ? newAccessToken() : accessToken,
                Sandbox.State.RUNNING.name(), 0, !template.isSnapshot());

        Sandbox fresh = new Sandbox(initial, Sandbox.State.STARTING);
        fresh.lock.lock();
        try {
            Sandbox existing = sandboxes.putIfAbsent(effective.sandboxId(), fresh);
            if (existing != null) {
                return existingOnCreate(existing);
            }
            if (Files.exists(layout.sandboxDir(effective.sandboxId()))) {
                sandboxes.remove(effective.sandboxId(), fresh);
                throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "sandbox is being cleaned up; retry later");
            }
            Undo undo = new Undo();
            try {
                if (template.isSnapshot()) {
                    restore(fresh, template, undo);
                } else {
                    boot(fresh, template, undo, accelerator, bootPolicy);
                }
                return fresh;
            } catch (RuntimeException e) {
                undo.runAll();
                sandboxes.remove(effective.sandboxId(), fresh);
                fresh.state(Sandbox.State.STOPPED);
                throw asSandboxException(e);
            }
        } finally {
            fresh.lock.unlock();
        }
    }

    private Sandbox existingOnCreate(Sandbox existing) {
        existing.lock.lock();
        try {
            if (existing.state() == Sandbox.State.RUNNING && vms.isRunning(existing.pid(), qmpSocket(existing))) {
                return existing;
            }
        } finally {
            existing.lock.unlock();
        }
        throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "sandbox exists but is not running");
    }

    private SandboxSpec validate(SandboxSpec spec) {
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
                spec.diskSizeMb(), spec.timeoutS(), spec.env(), spec.onTimeout());
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
                snapshot.vcpus(), snapshot.memoryMb(), spec.diskSizeMb(), spec.timeoutS(), spec.env(), spec.onTimeout());
    }

    /** Steps (a)-(g): directory, slot + network, record, disk + VM under the watchdog, guest init. */
    private void boot(Sandbox sandbox, Template template, Undo undo, Accelerator accel, BootPolicy policy) {
        String id = sandbox.id();
        long t0 = System.nanoTime();
        NetworkSlot slot = prepareDirectoryAndNetwork(id, undo);
        String namespace = SandboxNetwork.namespaceName(id);

        SandboxRecord record = sandbox.record().withSlot(slot.number()).withBootMs(0);
        sandbox.record(record);
        store.write(record);
        EnvdClient envd = new EnvdClient(http, slot.namespaceAddress(), record.envdAccessToken());
        sandbox.envd(envd);

        undo.add("kill VM", () -> vms.kill(sandbox.pid(), layout.sandboxQmpSocket(id)));
        VmSpec vm = new VmSpec(namespace, layout.kernelImage(), layout.initrdImage(),
                GuestKernelArgs.forAccelerator(accel), layout.sandboxOverlay(id),
                record.spec().vcpus(), record.spec().memoryMb(), accel, layout.sandboxQmpSocket(id),
                layout.sandboxSerialLog(id), layout.sandboxPidFile(id), layout.sandboxQemuLog(id),
                layout.sandboxMemory(id), true, false);
        bootUnderWatchdog(sandbox, template, vm, envd, policy);
        long bootMs = (System.nanoTime() - t0) / 1_000_000;

        envd.init(record.spec().env(), record.defaultUser(), record.defaultWorkdir(), clock.instant(), entropy(), null);
        awaitFilesystemGrown(sandbox, envd, record.spec().diskSizeMb());
        sandbox.record(record.withBootMs(bootMs));
        store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        LOG.info("sandbox {} running: template {}, slot {}, pid {}, {} ms to guest agent", id,
                template.name(), slot.number(), sandbox.pid(), bootMs);
    }

    /** The sandbox's directory and its namespace on a free slot, each undone if a later step fails. */
    private NetworkSlot prepareDirectoryAndNetwork(String id, Undo undo) {
        prepareDirectory(id, undo);
        return prepareNetwork(id, undo);
    }

    private void prepareDirectory(String id, Undo undo) {
        Path dir = layout.sandboxDir(id);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's directory", e);
        }
        undo.add("remove sandbox directory", () -> deleteRecursively(dir));
    }

    private NetworkSlot prepareNetwork(String id, Undo undo) {
        String namespace = SandboxNetwork.namespaceName(id);
        NetworkSlot slot = createNetwork(namespace);
        undo.add("delete network", () -> {
            network.delete(namespace, slot);
            slots.release(slot);
        });
        return slot;
    }

    private NetworkSlot createNetwork(String namespace) {
        for (int attempt = 0; attempt < 8; attempt++) {
            NetworkSlot slot = slots.allocate();
            try {
                network.create(namespace, slot);
                return slot;
            } catch (SandboxNetwork.SlotTakenException e) {
                // Another agent took it between our check and our create: its veth now exists, so
                // the allocator skips it next time.
                slots.release(slot);
            } catch (RuntimeException e) {
                slots.release(slot);
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not set up the sandbox's network", e);
            }
        }
        throw new SandboxException(SandboxException.Kind.RESOURCE_EXHAUSTED, "no free network slot on this host");
    }

    /**
     * Starts the VM and waits for envd's {@code /health}. A boot that has not answered by the
     * deadline is killed and retried on a fresh overlay (the hung one may have half-written it).
     */
    private void bootUnderWatchdog(Sandbox sandbox, Template template, VmSpec vm, EnvdClient envd, BootPolicy policy) {
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                Files.deleteIfExists(vm.disk());
                Files.deleteIfExists(vm.memoryFile());
                Files.deleteIfExists(vm.pidFile());
                Files.deleteIfExists(vm.qmpSocket());
            } catch (IOException e) {
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's disk", e);
            }
            try {
                disks.createOverlay(template.rootfs(), vm.disk(), sandbox.record().spec().diskSizeMb());
            } catch (RuntimeException e) {
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not create the sandbox's disk", e);
            }
            long t0 = System.nanoTime();
            try {
                sandbox.pid(vms.start(vm));
            } catch (RuntimeException e) {
                LOG.warn("sandbox {}: QEMU did not start: {}\n{}", sandbox.id(), e.getMessage(), tail(vm.qemuLog(), 3000));
                throw new SandboxException(SandboxException.Kind.INTERNAL, "the VM did not start", e);
            }
            if (awaitGuest(sandbox, vm, envd, policy.deadline())) {
                LOG.debug("sandbox {} guest agent answered after {} ms (attempt {})", sandbox.id(),
                        (System.nanoTime() - t0) / 1_000_000, attempt);
                return;
            }
            LOG.warn("sandbox {} boot attempt {} of {}: guest agent silent or VM gone after {} ms; {}", sandbox.id(),
                    attempt, policy.attempts(), (System.nanoTime() - t0) / 1_000_000,
                    attempt < policy.attempts() ? "retrying" : "giving up");
            LOG.warn("sandbox {} serial console, last lines:\n{}", sandbox.id(), tail(vm.serialLog(), 3000));
            vms.kill(sandbox.pid(), vm.qmpSocket());
        }
        throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the sandbox did not boot");
    }

    /**
     * The guest grows its root filesystem to the disk's size in the background once envd is up;
     * a sandbox is handed out only when that space is usable, so that a first large upload does
     * not find the template's small filesystem. ext4 keeps a few percent for its metadata.
     */
    private void awaitFilesystemGrown(Sandbox sandbox, EnvdClient envd, long diskSizeMb) {
        long wanted = (diskSizeMb << 20) / 100 * 90;
        long deadline = System.nanoTime() + FILESYSTEM_GROW_DEADLINE.toNanos();
        long total = 0;
        while (System.nanoTime() < deadline) {
            total = envd.diskTotalBytes();
            if (total >= wanted) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("sandbox {}: root filesystem still {} MiB after {}; handing it out anyway", sandbox.id(),
                total >> 20, FILESYSTEM_GROW_DEADLINE);
    }

    /** Waits for envd's {@code /health}: a cold boot's readiness. */
    private boolean awaitGuest(Sandbox sandbox, VmSpec vm, EnvdClient envd, Duration deadline) {
        return awaitGuest(sandbox, vm, deadline, probeTimeout -> envd.health(probeTimeout));
    }

    /** One attempt to reach the guest: true once it answered, false to try again after a pause. */
    private interface GuestProbe {
        boolean attempt(Duration timeout);
    }

    /**
     * Calls {@code probe} until it succeeds, the VM dies or the deadline passes. An attempt that
     * times out is given twice as long the next time (up to 10 s): on a loaded host a guest can
     * be up and still slower than the first attempts allow.
     */
    private boolean awaitGuest(Sandbox sandbox, VmSpec vm, Duration deadline, GuestProbe probe) {
        long end = System.nanoTime() + deadline.toNanos();
        Duration timeout = Duration.ofMillis(800);
        while (System.nanoTime() < end) {
            if (closing) {
                vms.kill(sandbox.pid(), vm.qmpSocket());
                throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
            }
            if (!vms.isRunning(sandbox.pid(), vm.qmpSocket())) {
                return false;
            }
            long attemptStart = System.nanoTime();
            if (probe.attempt(timeout)) {
                return true;
            }
            if (System.nanoTime() - attemptStart >= timeout.toNanos()) {
                timeout = timeout.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : timeout.multipliedBy(2);
            }
            try {
                // Short: a restored guest answers within a few hundred ms, and every ms of the
                // wait is on the path of a create or resume.
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "interrupted while booting");
            }
        }
        return false;
    }

    /**
     * Whether a guest boots with {@code accel}: creates a throw-away sandbox of {@code template}
     * with a single attempt and a short deadline, then destroys it.
     */
    public boolean bootsWith(Accelerator accel, Template template, Duration deadline) {
        String id = UUID.randomUUID().toString();
        SandboxSpec spec = new SandboxSpec(id, Layout.PLATFORM_TEAM, template.teamId(), template.name(), 1, 256,
                (int) Math.max(template.imageSizeMb(), 1), 0, Map.of(), null);
        SandboxRecord record = new SandboxRecord(spec, 0, accel.wireName(), template.defaultUser(),
                template.defaultWorkdir(), clock.millis(), 0, 0, newAccessToken(), Sandbox.State.RUNNING.name(), 0, true);
        Sandbox probe = new Sandbox(record, Sandbox.State.STARTING);
        sandboxes.put(id, probe);
        Undo undo = new Undo();
        try {
            boot(probe, template, undo, accel, new BootPolicy(deadline, 1));
            return true;
        } catch (RuntimeException e) {
            LOG.info("probe boot with {} failed: {}", accel.wireName(), e.getMessage());
            return false;
        } finally {
            undo.runAll();
            sandboxes.remove(id);
        }
    }

    // ---------------------------------------------------------------- restore (create from a snapshot)

    /**
     * Creates a sandbox from a snapshot template: a new QEMU maps the template's memory privately
     * (lazy, copy-on-write), loads its device state and runs; a fresh overlay on the template's
     * disk; the same guest address in a new namespace. Then envd learns it was restored: clock,
     * entropy, access token, environment. No watchdog retry: a restore has no kernel boot to hang.
     */
    private void restore(Sandbox sandbox, Template template, Undo undo) {
        String id = sandbox.id();
        StepTimes times = new StepTimes();
        prepareDirectory(id, undo);
        // qemu-img and the network set-up are both on the path and neither needs the other.
        CompletableFuture<Void> overlay = CompletableFuture.runAsync(
                () -> disks.createOverlay(template.rootfs(), layout.sandboxOverlay(id), template.imageSizeMb()),
                Thread::startVirtualThread);
        NetworkSlot slot;
        try {
            slot = prepareNetwork(id, undo);
        } finally {
            try {
                overlay.join(); // before any undo removes the directory it writes into
            } catch (CompletionException e) {
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not create the sandbox's disk", e.getCause());
            }
        }
        String namespace = SandboxNetwork.namespaceName(id);
        SandboxRecord record = sandbox.record().withSlot(slot.number()).withBootMs(0).withOwnMemory(false);
        sandbox.record(record);
        store.write(record);
        EnvdClient envd = EnvdClient.withOwnConnections(slot.namespaceAddress(), record.envdAccessToken());
        sandbox.envd(envd);
        undo.add("close guest client", envd::close);
        times.step("network disk");
        undo.add("kill VM", () -> vms.kill(sandbox.pid(), layout.sandboxQmpSocket(id)));
        VmSpec vm = vmSpec(id, namespace, record, template.snapshot().memory(), false);
        String guestToken = SnapshotDescription.tokenOf(layout, template);
        startIncoming(sandbox, vm, template.snapshot().state(), true, bootPolicy.deadline(), times, timeout ->
                envd.tryInit(record.spec().env(), record.defaultUser(), record.defaultWorkdir(), clock.instant(),
                        entropy(), guestToken, timeout));
        growDisk(sandbox, template.imageSizeMb());
        sandbox.record(record.withBootMs(times.totalMs()));
        store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        times.step("record");
        LOG.info("sandbox {} restored from snapshot {}/{}: slot {}, pid {}, {} ms to guest agent ({})", id,
                template.teamId(), template.name(), slot.number(), sandbox.pid(), times.totalMs(), times);
    }

    private VmSpec vmSpec(String id, String namespace, SandboxRecord record, Path memory, boolean memoryShared) {
        Accelerator accel = Accelerator.fromWireName(record.accelerator());
        return new VmSpec(namespace, layout.kernelImage(), layout.initrdImage(),
                GuestKernelArgs.forAccelerator(accel), layout.sandboxOverlay(id),
                record.spec().vcpus(), record.spec().memoryMb(), accel, layout.sandboxQmpSocket(id),
                layout.sandboxSerialLog(id), layout.sandboxPidFile(id), layout.sandboxQemuLog(id),
                memory, memoryShared, true);
    }

    /**
     * Starts QEMU waiting for state, loads {@code state}, runs the guest and initialises envd,
     * whose {@code /init} is also the probe that it is up ({@code ready}).
     */
    private void startIncoming(Sandbox sandbox, VmSpec vm, Path state, boolean ignoreShared, Duration deadline,
            StepTimes times, GuestProbe ready) {
        try {
            Files.deleteIfExists(vm.pidFile());
            Files.deleteIfExists(vm.qmpSocket());
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's files", e);
        }
        try {
            sandbox.pid(vms.start(vm));
            times.step("qemu");
        } catch (RuntimeException e) {
            LOG.warn("sandbox {}: QEMU did not start: {}\n{}", sandbox.id(), e.getMessage(), tail(vm.qemuLog(), 3000));
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the VM did not start", e);
        }
        try {
            Migration.load(vm.qmpSocket(), state, ignoreShared);
            times.step("load");
            Migration.cont(vm.qmpSocket());
        } catch (RuntimeException e) {
            LOG.warn("sandbox {}: loading saved state failed: {}\n{}", sandbox.id(), e.getMessage(), tail(vm.qemuLog(), 3000));
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the saved state could not be loaded", e);
        }
        if (!awaitGuest(sandbox, vm, deadline, ready)) {
            LOG.warn("sandbox {}: guest agent silent after a restore\n{}", sandbox.id(), tail(vm.qemuLog(), 3000));
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the restored sandbox did not answer");
        }
        times.step("envd init");
    }

    /**
     * A sandbox asking for more disk than its snapshot had: QEMU grows the device (the guest
     * sees it at once) and the guest grows its filesystem online, as a cold boot does at start.
     */
    private void growDisk(Sandbox sandbox, long currentMb) {
        long wantedMb = sandbox.record().spec().diskSizeMb();
        if (wantedMb <= currentMb) {
            return;
        }
        Migration.resizeDisk(layout.sandboxQmpSocket(sandbox.id()), wantedMb << 20);
        // The guest learns the new capacity from a config interrupt: wait for it, then grow. A grow
        // the source sandbox had in flight when it was saved finishes first (EBUSY until then).
        String script = "i=0; while [ $(cat /sys/block/vda/size) -lt " + (wantedMb << 11) + " ] && [ $i -lt 100 ]; do"
                + " sleep 0.1; i=$((i+1)); done; r=$(command -v resize2fs || echo /sbin/resize2fs);"
                + " i=0; until $r /dev/vda; do [ $i -lt 100 ] || exit 1; sleep 0.2; i=$((i+1)); done";
        StringBuilder output = new StringBuilder();
        ProcessEvent.Ended ended = null;
        try (var process = sandbox.envd().start(new EnvdClient.StartSpec("/bin/sh", List.of("-c", script), Map.of(), "/", "root"))) {
            for (ProcessEvent event = process.next(); event != null; event = process.next()) {
                switch (event) {
                    case ProcessEvent.Stdout out -> output.append(new String(out.data(), java.nio.charset.StandardCharsets.UTF_8));
                    case ProcessEvent.Stderr err -> output.append(new String(err.data(), java.nio.charset.StandardCharsets.UTF_8));
                    case ProcessEvent.Ended end -> ended = end;
                    case ProcessEvent.Started started -> { }
                    case ProcessEvent.Pty pty -> { }
                }
            }
        }
        if (ended == null || ended.exitCode() != 0) {
            LOG.warn("sandbox {}: growing the filesystem failed: {}", sandbox.id(), output);
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the restored sandbox's disk could not be grown");
        }
    }

    private static byte[] entropy() {
        byte[] seed = new byte[64];
        RANDOM.nextBytes(seed);
        return seed;
    }

    // ---------------------------------------------------------------- pause and resume

    /**
     * Saves a running sandbox and frees its VM, namespace and RAM. The phase is written before
     * each step; the saved state is committed by renaming its directory, so an agent that dies
     * at any step either finds a complete pause (and finishes it) or none (and runs the VM on).
     */
    public Sandbox pause(String sandboxId) {
        Sandbox sandbox = known(sandboxId);
        sandbox.lock.lock();
        try {
            requireState(sandbox, Sandbox.State.RUNNING, "paused");
            pauseLocked(sandbox);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    private void pauseLocked(Sandbox sandbox) {
        String id = sandbox.id();
        Path qmp = qmpSocket(sandbox);
        Path staging = layout.sandboxPauseStaging(id);
        Path committed = layout.sandboxPauseDir(id);
        long generation = sandbox.record().pauseGeneration() + 1;
        boolean ignoreShared = sandbox.record().ownMemory();
        long t0 = System.nanoTime();
        deleteRecursively(staging);
        deleteRecursively(committed);
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the pause", e);
        }
        setPhase(sandbox, Sandbox.State.PAUSING);
        crashPoints.reached("pause.saving");
        try {
            Migration.stop(qmp);
            Migration.save(qmp, staging.resolve(PauseState.STATE), ignoreShared);
            PauseState.describe(generation, ignoreShared, staging, layout.sandboxMemory(id)).write(staging);
        } catch (RuntimeException e) {
            LOG.warn("sandbox {}: pause failed, running it on: {}", id, e.toString());
            try {
                Migration.cont(qmp);
            } catch (RuntimeException again) {
                LOG.warn("sandbox {}: could not run it on after a failed pause: {}", id, again.toString());
            }
            deleteRecursively(staging);
            setPhase(sandbox, Sandbox.State.RUNNING);
            throw new SandboxException(SandboxException.Kind.INTERNAL, "the sandbox could not be paused", e);
        }
        crashPoints.reached("pause.saved");
        try {
            Files.move(staging, committed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not commit the pause", e);
        }
        crashPoints.reached("pause.committed");
        finishPause(sandbox, generation);
        LOG.info("sandbox {} paused (generation {}, {} ms)", id, generation, (System.nanoTime() - t0) / 1_000_000);
    }

    /** After the commit: the VM and its network go; the record says paused. */
    private void finishPause(Sandbox sandbox, long generation) {
        String id = sandbox.id();
        if (sandbox.pid() > 0) {
            vms.stop(sandbox.pid(), qmpSocket(sandbox), STOP_GRACE);
        }
        closeEnvd(sandbox);
        if (sandbox.record().slot() > 0) {
            network.delete(SandboxNetwork.namespaceName(id), sandbox.slot());
            slots.release(sandbox.slot());
        }
        sandbox.pid(0);
        sandbox.record(sandbox.record().withSlot(0).withPauseGeneration(generation).withPhase(Sandbox.State.PAUSED));
        store.write(sandbox.record());
        sandbox.state(Sandbox.State.PAUSED);
    }

    /**
     * Brings a paused sandbox back with exactly its latest pause: the generation must match
     * ({@code expectedGeneration} 0 = whatever is latest) and the files their checksums.
     *
     * @param timeoutS seconds until its timeout applies again, 0 = never
     */
    public Sandbox resume(String sandboxId, long expectedGeneration, int timeoutS) {
        if (closing) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
        }
        Sandbox sandbox = known(sandboxId);
        sandbox.lock.lock();
        try {
            requireState(sandbox, Sandbox.State.PAUSED, "resumed");
            long expiresAt = timeoutS == 0 ? 0 : clock.millis() + timeoutS * 1000L;
            resumeLocked(sandbox, expectedGeneration, expiresAt);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    private void resumeLocked(Sandbox sandbox, long expectedGeneration, long expiresAt) {
        String id = sandbox.id();
        StepTimes times = new StepTimes();
        Path pauseDir = layout.sandboxPauseDir(id);
        Path memory = layout.sandboxMemory(id);
        PauseState pause = PauseState.read(pauseDir);
        long latest = sandbox.record().pauseGeneration();
        if (pause == null) {
            throw new SandboxException(SandboxException.Kind.DATA_LOSS, "the sandbox's saved state is missing");
        }
        if (pause.generation() != latest || (expectedGeneration != 0 && expectedGeneration != latest)) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "the host holds pause generation "
                    + pause.generation() + " but generation " + (expectedGeneration != 0 ? expectedGeneration : latest)
                    + " was expected");
        }
        String problem = pause.verify(pauseDir, memory);
        if (problem != null) {
            throw new SandboxException(SandboxException.Kind.DATA_LOSS, problem);
        }
        setPhase(sandbox, Sandbox.State.RESUMING);
        times.step("verify");
        Undo undo = new Undo();
        try {
            String namespace = SandboxNetwork.namespaceName(id);
            NetworkSlot slot = createNetwork(namespace);
            undo.add("delete network", () -> {
                network.delete(namespace, slot);
                slots.release(slot);
            });
            sandbox.record(sandbox.record().withSlot(slot.number()));
            store.write(sandbox.record());
            times.step("network");
            if (!pause.ignoreShared()) {
                // The RAM is in the stream: it is loaded into a fresh memory file of the sandbox's own.
                Files.deleteIfExists(memory);
            }
            EnvdClient envd = EnvdClient.withOwnConnections(slot.namespaceAddress(), sandbox.record().envdAccessToken());
            sandbox.envd(envd);
            undo.add("close guest client", envd::close);
            undo.add("kill VM", () -> vms.kill(sandbox.pid(), layout.sandboxQmpSocket(id)));
            crashPoints.reached("resume.loading");
            SandboxRecord record = sandbox.record();
            startIncoming(sandbox, vmSpec(id, namespace, record, memory, true), pauseDir.resolve(PauseState.STATE),
                    pause.ignoreShared(), bootPolicy.deadline(), times, timeout ->
                            envd.tryInit(record.spec().env(), record.defaultUser(), record.defaultWorkdir(),
                                    clock.instant(), entropy(), record.envdAccessToken(), timeout));
        } catch (RuntimeException | IOException e) {
            undo.runAll();
            sandbox.pid(0);
            sandbox.record(sandbox.record().withSlot(0).withPhase(Sandbox.State.PAUSED));
            store.write(sandbox.record());
            sandbox.state(Sandbox.State.PAUSED);
            LOG.warn("sandbox {}: resume failed; it stays paused: {}", id, e.toString());
            throw e instanceof SandboxException s ? s : asSandboxException(new RuntimeException(e));
        }
        deleteRecursively(pauseDir);
        sandbox.record(sandbox.record().withOwnMemory(true).withExpiresAtMs(expiresAt).withPhase(Sandbox.State.RUNNING));
        store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        times.step("record");
        LOG.info("sandbox {} resumed (generation {}, {} ms: {})", id, pause.generation(), times.totalMs(), times);
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Makes snapshot template {@code teamId}/{@code name} of a running sandbox (it keeps running:
     * its vCPUs stop while the state is saved and its RAM copied) or a paused one (it stays
     * paused). Files are written to a staging directory and renamed into place.
     *
     * <p>A sandbox whose RAM is still a private mapping of another snapshot (one made from a
     * snapshot, never paused since) has no memory file of its own: it is paused and resumed first,
     * which gives it one. Likewise a paused one whose saved state holds its RAM is resumed,
     * snapshotted and paused again.
     */
    public Template snapshot(String sandboxId, String teamId, String name) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "team_id or name is not valid");
        }
        if (closing) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
        }
        Sandbox sandbox = known(sandboxId);
        sandbox.lock.lock();
        try {
            if (templates.nameTaken(teamId, name) || templates.nameTaken(Layout.PLATFORM_TEAM, name)) {
                throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "a template named " + name + " exists");
            }
            long t0 = System.nanoTime();
            Path staging = layout.snapshotStagingDir().resolve(UUID.randomUUID().toString());
            try {
                Files.createDirectories(staging);
            } catch (IOException e) {
                throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the snapshot", e);
            }
            Layout.SnapshotFiles files = new Layout.SnapshotFiles(staging);
            try {
                switch (sandbox.state()) {
                    case RUNNING -> {
                        if (!sandbox.record().ownMemory()) {
                            long expiresAt = sandbox.record().expiresAtMs();
                            pauseLocked(sandbox);
                            resumeLocked(sandbox, 0, expiresAt);
                        }
                        snapshotRunning(sandbox, files);
                    }
                    case PAUSED -> {
                        PauseState pause = PauseState.read(layout.sandboxPauseDir(sandbox.id()));
                        if (pause != null && pause.ignoreShared()) {
                            snapshotPaused(sandbox, files);
                        } else {
                            long expiresAt = sandbox.record().expiresAtMs();
                            resumeLocked(sandbox, 0, expiresAt);
                            snapshotRunning(sandbox, files);
                            pauseLocked(sandbox);
                        }
                    }
                    default -> throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION,
                            "sandbox is " + sandbox.state().name().toLowerCase(java.util.Locale.ROOT) + ", not running or paused");
                }
                SandboxRecord record = sandbox.record();
                new SnapshotDescription(name, "snapshot", record.spec().vcpus(), record.spec().memoryMb(),
                        record.spec().diskSizeMb(), record.defaultUser(), record.defaultWorkdir(), sandbox.id(),
                        clock.millis(), record.envdAccessToken()).write(files.json());
                crashPoints.reached("snapshot.written");
                Path target = layout.snapshotDir(teamId, name);
                Files.createDirectories(target.getParent());
                Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteRecursively(staging);
                if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.DirectoryNotEmptyException) {
                    throw new SandboxException(SandboxException.Kind.ALREADY_EXISTS, "a template named " + name + " exists");
                }
                throw e instanceof SandboxException s ? s
                        : new SandboxException(SandboxException.Kind.INTERNAL, "the snapshot could not be written", e);
            }
            crashPoints.reached("snapshot.promoted");
            LOG.info("snapshot {}/{} made from sandbox {} in {} ms", teamId, name, sandbox.id(),
                    (System.nanoTime() - t0) / 1_000_000);
            return templates.find(teamId, name)
                    .orElseThrow(() -> new SandboxException(SandboxException.Kind.INTERNAL, "the snapshot vanished"));
        } finally {
            sandbox.lock.unlock();
        }
    }

    private void snapshotRunning(Sandbox sandbox, Layout.SnapshotFiles files) {
        String id = sandbox.id();
        Path qmp = qmpSocket(sandbox);
        Migration.stop(qmp);
        crashPoints.reached("snapshot.saving");
        try {
            // Stopped, the RAM file and the overlay hold still while they are copied.
            Migration.save(qmp, files.state(), true);
            disks.copySparse(layout.sandboxMemory(id), files.memory());
            disks.flatten(layout.sandboxOverlay(id), files.disk());
        } finally {
            Migration.cont(qmp);
        }
    }

    private void snapshotPaused(Sandbox sandbox, Layout.SnapshotFiles files) throws IOException {
        String id = sandbox.id();
        Files.copy(layout.sandboxPauseDir(id).resolve(PauseState.STATE), files.state());
        disks.copySparse(layout.sandboxMemory(id), files.memory());
        disks.flatten(layout.sandboxOverlay(id), files.disk());
    }

    /**
     * Removes snapshot template {@code teamId}/{@code name}: renamed out of place at once, then
     * deleted. Refused while a sandbox of this host (running or paused) was made from it.
     */
    public void deleteTemplate(String teamId, String name) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "team_id or name is not valid");
        }
        if (Files.exists(layout.templateDir(teamId, name))) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "image templates are not removed through the API");
        }
        Path dir = layout.snapshotDir(teamId, name);
        if (!Files.exists(dir)) {
            return;
        }
        boolean used = sandboxes.values().stream().anyMatch(s -> s.state() != Sandbox.State.STOPPED
                && s.record().spec().templateTeamId().equals(teamId) && s.record().spec().templateName().equals(name));
        if (used) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "a sandbox made from " + name + " still exists");
        }
        Path trash = layout.snapshotStagingDir().resolve("deleted-" + UUID.randomUUID());
        try {
            Files.createDirectories(trash.getParent());
            Files.move(dir, trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not remove the template", e);
        }
        deleteRecursively(trash);
        LOG.info("snapshot {}/{} removed", teamId, name);
    }

    private Sandbox known(String sandboxId) {
        Sandbox sandbox = sandboxId == null ? null : sandboxes.get(sandboxId);
        if (sandbox == null || sandbox.state() == Sandbox.State.STOPPED) {
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        return sandbox;
    }

    private void requireState(Sandbox sandbox, Sandbox.State wanted, String verb) {
        if (sandbox.state() == Sandbox.State.RUNNING && isDead(sandbox)) {
            cleanUpDeadInBackground(sandbox);
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        if (sandbox.state() != wanted) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is "
                    + sandbox.state().name().toLowerCase(java.util.Locale.ROOT) + " and cannot be " + verb);
        }
    }

    private void setPhase(Sandbox sandbox, Sandbox.State phase) {
        sandbox.record(sandbox.record().withPhase(phase));
        store.write(sandbox.record());
        sandbox.state(phase);
    }

    /** Ends the streams of the guest's client (their VM is going) and drops its connections. */
    private static void closeEnvd(Sandbox sandbox) {
        if (sandbox.envd() != null) {
            sandbox.envd().abortStreams();
            sandbox.envd().close();
        }
    }

    // ---------------------------------------------------------------- destroy

    /** Stops the VM and removes its namespace and files. Unknown ids succeed. */
    public void destroy(String sandboxId) {
        if (!Layout.isUuid(sandboxId)) {
            return;
        }
        Sandbox sandbox = sandboxes.get(sandboxId);
        if (sandbox == null) {
            removeResidue(sandboxId);
            return;
        }
        sandbox.lock.lock();
        try {
            if (sandbox.state() == Sandbox.State.STOPPED && !sandboxes.containsKey(sandboxId)) {
                return;
            }
            sandbox.state(Sandbox.State.STOPPING);
            Path qmp = qmpSocket(sandbox);
            if (sandbox.pid() > 0) {
                vms.stop(sandbox.pid(), qmp, STOP_GRACE);
            }
            closeEnvd(sandbox);
            if (sandbox.record().slot() > 0) {
                network.delete(SandboxNetwork.namespaceName(sandboxId), sandbox.slot());
                slots.release(sandbox.slot());
            }
            deleteRecursively(layout.sandboxDir(sandboxId));
            sandbox.state(Sandbox.State.STOPPED);
            sandboxes.remove(sandboxId, sandbox);
            LOG.info("sandbox {} destroyed", sandboxId);
        } finally {
            sandbox.lock.unlock();
        }
    }

    /** Leftovers of a sandbox this agent does not hold in memory: a VM, a namespace, a directory. */
    private void removeResidue(String sandboxId) {
        Path dir = layout.sandboxDir(sandboxId);
        Optional<SandboxRecord> record = store.read(sandboxId);
        readPid(sandboxId).ifPresent(pid -> vms.kill(pid, layout.sandboxQmpSocket(sandboxId)));
        NetworkSlot slot = record.filter(r -> r.slot() > 0).map(r -> new NetworkSlot(r.slot())).orElse(null);
        String namespace = SandboxNetwork.namespaceName(sandboxId);
        if (network.listNamespaces().contains(namespace) || slot != null) {
            network.delete(namespace, slot);
        }
        if (slot != null) {
            slots.release(slot);
        }
        if (Files.exists(dir)) {
            deleteRecursively(dir);
        }
    }

    /**
     * Refuses new creates and makes boots in progress give up, so that shutdown does not wait
     * for them (a create that gives up undoes itself).
     */
    public void shutdown() {
        closing = true;
    }

    /** Destroys every sandbox, in parallel (shutdown of {@code wrenn up}). */
    public void destroyAll() {
        List<Thread> threads = new ArrayList<>();
        for (String id : List.copyOf(sandboxes.keySet())) {
            threads.add(Thread.ofVirtual().name("destroy-" + id).start(() -> {
                try {
                    destroy(id);
                } catch (RuntimeException e) {
                    LOG.warn("could not destroy sandbox {}: {}", id, e.toString());
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------- timeout

    /** Moves a running sandbox's expiry to {@code timeoutS} seconds from now (0 = never) and persists it. */
    public Sandbox setTimeout(String sandboxId, int timeoutS) {
        if (timeoutS < 0) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "timeout_s out of range");
        }
        Sandbox sandbox = running(sandboxId);
        sandbox.lock.lock();
        try {
            if (sandbox.state() != Sandbox.State.RUNNING) {
                throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is not running");
            }
            SandboxRecord updated = sandbox.record().withExpiresAtMs(timeoutS == 0 ? 0 : clock.millis() + timeoutS * 1000L);
            store.write(updated);
            sandbox.record(updated);
            return sandbox;
        } finally {
            sandbox.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- queries

    /**
     * The sandboxes this host has. A running sandbox whose QEMU has gone is not listed; its
     * clean-up starts in the background.
     */
    public List<Sandbox> list() {
        List<Sandbox> live = new ArrayList<>();
        for (Sandbox sandbox : sandboxes.values()) {
            if (isDead(sandbox)) {
                cleanUpDeadInBackground(sandbox);
            } else if (sandbox.state() != Sandbox.State.STOPPED) {
                live.add(sandbox);
            }
        }
        live.sort(Comparator.comparingLong((Sandbox s) -> s.record().startedAtMs()).thenComparing(Sandbox::id));
        return live;
    }

    /** A running sandbox, or NOT_FOUND / FAILED_PRECONDITION. */
    public Sandbox running(String sandboxId) {
        Sandbox sandbox = sandboxId == null ? null : sandboxes.get(sandboxId);
        if (sandbox == null) {
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        if (isDead(sandbox)) {
            cleanUpDeadInBackground(sandbox);
            throw new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox not found");
        }
        if (sandbox.state() != Sandbox.State.RUNNING) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, "sandbox is not running");
        }
        return sandbox;
    }

    private boolean isDead(Sandbox sandbox) {
        return sandbox.state() == Sandbox.State.RUNNING && !vms.isRunning(sandbox.pid(), qmpSocket(sandbox));
    }

    private void cleanUpDeadInBackground(Sandbox sandbox) {
        sandbox.state(Sandbox.State.STOPPED);
        LOG.warn("sandbox {}: its VM (pid {}) is gone; cleaning up", sandbox.id(), sandbox.pid());
        Thread.ofVirtual().name("cleanup-" + sandbox.id()).start(() -> {
            try {
                destroy(sandbox.id());
            } catch (RuntimeException e) {
                LOG.warn("clean-up of sandbox {} failed: {}", sandbox.id(), e.toString());
            }
        });
    }

    /**
     * One reaper pass: destroys sandboxes whose timeout expired and cleans up those whose VM died.
     */
    public void reap() {
        long now = clock.millis();
        for (Sandbox sandbox : List.copyOf(sandboxes.values())) {
            if (sandbox.state() != Sandbox.State.RUNNING) {
                continue;
            }
            long expiresAt = sandbox.record().expiresAtMs();
            if (isDead(sandbox)) {
                cleanUpDeadInBackground(sandbox);
            } else if (expiresAt > 0 && now >= expiresAt) {
                boolean pause = sandbox.record().spec().onTimeout() == SandboxSpec.OnTimeout.PAUSE;
                LOG.info("sandbox {} timed out; {} it", sandbox.id(), pause ? "pausing" : "destroying");
                try {
                    if (pause) {
                        pause(sandbox.id());
                    } else {
                        destroy(sandbox.id());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not reap sandbox {}: {}", sandbox.id(), e.toString());
                }
            }
        }
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Rebuilds the map from disk after a start: a sandbox whose QEMU still runs is re-adopted as
     * running; a dead one is cleaned up. Namespaces named {@code wrenn-*} with no sandbox behind
     * them and nothing running inside are removed too.
     */
    public void recover() {
        cleanSnapshotStaging();
        Set<String> keptNamespaces = new HashSet<>();
        for (String id : store.sandboxIds()) {
            Optional<SandboxRecord> record = store.read(id);
            Optional<Long> pid = readPid(id);
            String namespace = SandboxNetwork.namespaceName(id);
            if (record.isPresent() && record.get().bootMs() > 0 && record.get().phaseOrRunning() != Sandbox.State.RUNNING) {
                try {
                    if (recoverTransition(record.get(), pid)) {
                        keptNamespaces.add(namespace);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not recover sandbox {}: {}", id, e.toString());
                }
                continue;
            }
            // bootMs is written only once the guest agent was initialised: a VM from a create that
            // the previous agent did not finish is not a sandbox anyone was promised.
            boolean alive = record.isPresent() && record.get().slot() > 0 && record.get().bootMs() > 0 && pid.isPresent()
                    && vms.isRunning(pid.get(), layout.sandboxQmpSocket(id))
                    && network.listNamespaces().contains(namespace);
            if (alive) {
                runOnIfStopped(id);
                Sandbox sandbox = new Sandbox(record.get(), Sandbox.State.RUNNING);
                sandbox.pid(pid.get());
                sandbox.envd(new EnvdClient(http, sandbox.slot().namespaceAddress(), record.get().envdAccessToken()));
                slots.claim(sandbox.slot());
                sandboxes.put(id, sandbox);
                keptNamespaces.add(namespace);
                LOG.info("re-adopted sandbox {} (pid {}, slot {})", id, pid.get(), record.get().slot());
            } else {
                LOG.info("sandbox {} did not survive; cleaning up", id);
                try {
                    removeResidue(id);
                } catch (RuntimeException e) {
                    LOG.warn("could not clean up sandbox {}: {}", id, e.toString());
                }
            }
        }
        for (String namespace : network.listNamespaces()) {
            if (keptNamespaces.contains(namespace)) {
                continue;
            }
            // Another agent on this machine may own it: only a namespace with nothing inside that
            // has existed for a while is an orphan.
            if (network.pidsIn(namespace).isEmpty() && network.ageMillis(namespace) > ORPHAN_MIN_AGE.toMillis()) {
                LOG.info("removing orphan namespace {}", namespace);
                network.delete(namespace, null);
            }
        }
    }

    /**
     * A sandbox whose record says it was pausing, paused or resuming when the previous agent
     * stopped. Never lost: it ends running (its VM lives and no pause was committed, or a resume
     * got as far as running the guest) or paused (a committed pause). Returns whether its
     * namespace stays.
     */
    private boolean recoverTransition(SandboxRecord record, Optional<Long> pid) {
        String id = record.spec().sandboxId();
        Path qmp = layout.sandboxQmpSocket(id);
        boolean vmAlive = pid.isPresent() && vms.isRunning(pid.get(), qmp);
        PauseState committed = PauseState.read(layout.sandboxPauseDir(id));
        deleteRecursively(layout.sandboxPauseStaging(id));
        Sandbox sandbox = new Sandbox(record, record.phaseOrRunning());
        pid.ifPresent(sandbox::pid);
        switch (record.phaseOrRunning()) {
            case PAUSING -> {
                if (committed != null && committed.generation() == record.pauseGeneration() + 1) {
                    claimSlot(sandbox);
                    finishPause(sandbox, committed.generation());
                    sandboxes.put(id, sandbox);
                    LOG.info("sandbox {}: finished a pause the previous agent had committed", id);
                    return false;
                }
                if (vmAlive) {
                    runOnIfStopped(id);
                    return adoptRunning(sandbox, record.withPhase(Sandbox.State.RUNNING), pid.get());
                }
            }
            case PAUSED -> {
                if (backToPaused(sandbox, vmAlive, committed)) {
                    LOG.info("re-adopted paused sandbox {} (generation {})", id, record.pauseGeneration());
                    return false;
                }
            }
            case RESUMING -> {
                if (vmAlive && "running".equals(safeStatus(qmp))) {
                    // The guest runs again: its saved state, if still there, is history now.
                    deleteRecursively(layout.sandboxPauseDir(id));
                    return adoptRunning(sandbox, record.withPhase(Sandbox.State.RUNNING).withOwnMemory(true), pid.get());
                }
                // Otherwise the guest had not run yet: the saved state is untouched, it is still paused.
                if (backToPaused(sandbox, vmAlive, committed)) {
                    LOG.info("sandbox {}: a resume did not finish; it is paused again", id);
                    return false;
                }
            }
            default -> {
            }
        }
        LOG.warn("sandbox {} ({}) cannot be recovered; cleaning up", id, record.phaseOrRunning());
        removeResidue(id);
        return false;
    }

    /**
     * Settles a sandbox as paused from its committed saved state: a VM still there (one that
     * had not run yet) and the namespace go. False when there is no committed state to resume.
     */
    private boolean backToPaused(Sandbox sandbox, boolean vmAlive, PauseState committed) {
        String id = sandbox.id();
        SandboxRecord record = sandbox.record();
        if (vmAlive) {
            vms.kill(sandbox.pid(), layout.sandboxQmpSocket(id));
        }
        if (record.slot() > 0) {
            network.delete(SandboxNetwork.namespaceName(id), new NetworkSlot(record.slot()));
        }
        if (committed == null) {
            return false;
        }
        sandbox.pid(0);
        sandbox.record(record.withSlot(0).withPhase(Sandbox.State.PAUSED));
        store.write(sandbox.record());
        sandbox.state(Sandbox.State.PAUSED);
        sandboxes.put(id, sandbox);
        return true;
    }

    private boolean adoptRunning(Sandbox sandbox, SandboxRecord record, long pid) {
        String id = record.spec().sandboxId();
        sandbox.record(record);
        sandbox.pid(pid);
        store.write(record);
        sandbox.envd(EnvdClient.withOwnConnections(new NetworkSlot(record.slot()).namespaceAddress(), record.envdAccessToken()));
        claimSlot(sandbox);
        sandbox.state(Sandbox.State.RUNNING);
        sandboxes.put(id, sandbox);
        LOG.info("re-adopted sandbox {} after an unfinished {} (pid {})", id, sandbox.record().phase(), pid);
        return true;
    }

    private void claimSlot(Sandbox sandbox) {
        if (sandbox.record().slot() > 0) {
            slots.claim(sandbox.slot());
        }
    }

    /** A VM left stopped by an agent that died while saving its state (a pause or a snapshot) runs on. */
    private void runOnIfStopped(String id) {
        Path qmp = layout.sandboxQmpSocket(id);
        String status = safeStatus(qmp);
        if (status.equals("paused") || status.equals("postmigrate") || status.equals("finish-migrate")) {
            try {
                if (status.equals("finish-migrate")) {
                    Migration.cancel(qmp);
                }
                Migration.cont(qmp);
                LOG.info("sandbox {} was left stopped ({}); running it on", id, status);
            } catch (RuntimeException e) {
                LOG.warn("sandbox {}: could not run it on: {}", id, e.toString());
            }
        }
    }

    private static String safeStatus(Path qmp) {
        try {
            return Migration.status(qmp);
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * Staging directories of snapshots that never finished, and templates half removed: a crash
     * left them; nothing refers to them. A helper QEMU that may still work in one is stopped.
     */
    private void cleanSnapshotStaging() {
        Path staging = layout.snapshotStagingDir();
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(staging)) {
            for (Path dir : dirs.toList()) {
                LOG.info("removing unfinished snapshot files {}", dir.getFileName());
                deleteRecursively(dir);
            }
        } catch (IOException e) {
            LOG.warn("could not clean {}: {}", staging, e.toString());
        }
    }

    private Optional<Long> readPid(String sandboxId) {
        try {
            return Optional.of(Long.parseLong(Files.readString(layout.sandboxPidFile(sandboxId)).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static final java.util.regex.Pattern ACCESS_TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{32,128}");

    private static String newAccessToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** The end of a log file, for diagnosing a boot that went wrong. */
    private static String tail(Path file, int bytes) {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = Math.max(0, all.length - bytes);
            return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no serial log)";
        }
    }

    private Path qmpSocket(Sandbox sandbox) {
        return layout.sandboxQmpSocket(sandbox.id());
    }

    private static SandboxException asSandboxException(RuntimeException e) {
        if (e instanceof SandboxException s) {
            return s;
        }
        if (e instanceof GuestException g) {
            LOG.warn("guest agent initialisation failed", g);
            return new SandboxException(SandboxException.Kind.UNAVAILABLE, "the guest agent failed to initialise", g);
        }
        LOG.error("sandbox creation failed", e);
        return new SandboxException(SandboxException.Kind.INTERNAL, "sandbox creation failed", e);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.toString());
        }
    }
}
