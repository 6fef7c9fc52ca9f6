package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.disk.DiskImages;
import io.wrenn.hostagent.guest.EnvdClient;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.net.SlotAllocator;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.GuestKernelArgs;
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
        if (closing) {
            throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
        }
        SandboxSpec spec = validate(requested);
        Template template = templates.find(spec.templateTeamId(), spec.templateName())
                .orElseThrow(() -> new SandboxException(SandboxException.Kind.NOT_FOUND,
                        "template " + spec.templateName() + " is not on this host"));
        int diskMb = spec.diskSizeMb() == 0 ? (int) Math.max(DEFAULT_DISK_MB, template.imageSizeMb()) : spec.diskSizeMb();
        if (diskMb < template.imageSizeMb()) {
            throw new SandboxException(SandboxException.Kind.INVALID_ARGUMENT, "disk_size_mb " + diskMb
                    + " is smaller than the template's image (" + template.imageSizeMb() + " MiB)");
        }
        SandboxSpec effective = new SandboxSpec(spec.sandboxId(), spec.teamId(), spec.templateTeamId(),
                spec.templateName(), spec.vcpus(), spec.memoryMb(), diskMb, spec.timeoutS(), spec.env());
        long startedAt = clock.millis();
        long expiresAt = effective.timeoutS() == 0 ? 0 : startedAt + effective.timeoutS() * 1000L;
        SandboxRecord initial = new SandboxRecord(effective, 0, accelerator.wireName(),
                template.defaultUser(), template.defaultWorkdir(), startedAt, expiresAt, 0, newAccessToken());

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
                boot(fresh, template, undo, accelerator, bootPolicy);
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
                spec.diskSizeMb(), spec.timeoutS(), spec.env());
    }

    /** Steps (a)-(g): directory, slot + network, record, disk + VM under the watchdog, guest init. */
    private void boot(Sandbox sandbox, Template template, Undo undo, Accelerator accel, BootPolicy policy) {
        String id = sandbox.id();
        long t0 = System.nanoTime();
        Path dir = layout.sandboxDir(id);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not prepare the sandbox's directory", e);
        }
        undo.add("remove sandbox directory", () -> deleteRecursively(dir));

        String namespace = SandboxNetwork.namespaceName(id);
        NetworkSlot slot = createNetwork(namespace);
        undo.add("delete network", () -> {
            network.delete(namespace, slot);
            slots.release(slot);
        });

        SandboxRecord record = new SandboxRecord(sandbox.record().spec(), slot.number(), accel.wireName(),
                sandbox.record().defaultUser(), sandbox.record().defaultWorkdir(), sandbox.record().startedAtMs(),
                sandbox.record().expiresAtMs(), 0, sandbox.record().envdAccessToken());
        sandbox.record(record);
        store.write(record);
        EnvdClient envd = new EnvdClient(http, slot.namespaceAddress(), record.envdAccessToken());
        sandbox.envd(envd);

        undo.add("kill VM", () -> vms.kill(sandbox.pid(), layout.sandboxQmpSocket(id)));
        VmSpec vm = new VmSpec(namespace, layout.kernelImage(), layout.initrdImage(),
                GuestKernelArgs.forAccelerator(accel), layout.sandboxOverlay(id),
                record.spec().vcpus(), record.spec().memoryMb(), accel, layout.sandboxQmpSocket(id),
                layout.sandboxSerialLog(id), layout.sandboxPidFile(id), layout.sandboxQemuLog(id));
        bootUnderWatchdog(sandbox, template, vm, envd, policy);
        long bootMs = (System.nanoTime() - t0) / 1_000_000;

        envd.init(record.spec().env(), record.defaultUser(), record.defaultWorkdir(), clock.instant());
        awaitFilesystemGrown(sandbox, envd, record.spec().diskSizeMb());
        sandbox.record(record.withBootMs(bootMs));
        store.write(sandbox.record());
        sandbox.state(Sandbox.State.RUNNING);
        LOG.info("sandbox {} running: template {}, slot {}, pid {}, {} ms to guest agent", id,
                template.name(), slot.number(), sandbox.pid(), bootMs);
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

    private boolean awaitGuest(Sandbox sandbox, VmSpec vm, EnvdClient envd, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (closing) {
                vms.kill(sandbox.pid(), vm.qmpSocket());
                throw new SandboxException(SandboxException.Kind.UNAVAILABLE, "the host agent is shutting down");
            }
            if (!vms.isRunning(sandbox.pid(), vm.qmpSocket())) {
                return false;
            }
            if (envd.health(Duration.ofMillis(800))) {
                return true;
            }
            try {
                Thread.sleep(50);
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
                (int) Math.max(template.imageSizeMb(), 1), 0, Map.of());
        SandboxRecord record = new SandboxRecord(spec, 0, accel.wireName(), template.defaultUser(),
                template.defaultWorkdir(), clock.millis(), 0, 0, newAccessToken());
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
            if (sandbox.envd() != null) {
                sandbox.envd().abortStreams();
            }
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
                LOG.info("sandbox {} timed out; destroying it", sandbox.id());
                try {
                    destroy(sandbox.id());
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
        Set<String> keptNamespaces = new HashSet<>();
        for (String id : store.sandboxIds()) {
            Optional<SandboxRecord> record = store.read(id);
            Optional<Long> pid = readPid(id);
            String namespace = SandboxNetwork.namespaceName(id);
            // bootMs is written only once the guest agent was initialised: a VM from a create that
            // the previous agent did not finish is not a sandbox anyone was promised.
            boolean alive = record.isPresent() && record.get().slot() > 0 && record.get().bootMs() > 0 && pid.isPresent()
                    && vms.isRunning(pid.get(), layout.sandboxQmpSocket(id))
                    && network.listNamespaces().contains(namespace);
            if (alive) {
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

    private Optional<Long> readPid(String sandboxId) {
        try {
            return Optional.of(Long.parseLong(Files.readString(layout.sandboxPidFile(sandboxId)).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

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
