package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.disk.DiskImages;
import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.guest.GuestConnector;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkPolicy;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.vm.Accelerator;
import io.wrenn.hostagent.vm.VirtualMachines;
import io.wrenn.hostagent.vm.VmControl;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes of this host, as the gRPC service, the reaper and the traffic listener see them:
 * creates them (disk, network, VM, guest agent), pauses, resumes and snapshots them, destroys
 * them, lists them, re-adopts the ones still running after an agent restart and cleans up dead
 * ones. Each of those jobs is a class of its own; they share one {@link SandboxHost}.
 *
 * <p>The in-memory map is a cache of what is on disk and in the process table: at start it is
 * rebuilt from each {@code sandboxes/{id}/sandbox.json} and the PIDs found there; while running, a VM
 * whose QEMU is gone is dropped as soon as a list or a reaper tick sees it. Every change to one
 * sandbox happens under its {@link Sandbox#lock}.
 */
public final class SandboxManager {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxManager.class);
    private final SandboxHost host;
    private final Creator creator;
    private final Pauser pauser;
    private final Resumer resumer;
    private final Snapshotter snapshotter;
    private final ImageMaker imageMaker;
    private final TemplateRemover templateRemover;
    private final Destroyer destroyer;
    private final LiveSandboxes live;
    private final Timeouts timeouts;
    private final DiskFullStops diskFullStops;
    /** Reaper passes, for what runs every few of them. */
    private long reapPasses;
    private final AccessTokens accessTokens;
    private final Recovery recovery;
    private final NetworkPolicies networkPolicies;
    private final WarmStarts warmStarts;

    public SandboxManager(Layout layout, SandboxNetwork network, DiskImages disks, VirtualMachines vms,
            VmControl vmControl, GuestConnector guests, TemplateCatalog templates, BootPolicy bootPolicy, Clock clock) {
        // A bad disk rate setting stops the agent at its start, not at its first boot.
        io.wrenn.hostagent.vm.DiskRateLimit.check(System.getenv());
        host = new SandboxHost(layout, network, disks, vms, vmControl, guests, templates, bootPolicy, clock);
        SandboxResources resources = new SandboxResources(host);
        GuestStart guestStart = new GuestStart(host);
        ColdBooter coldBooter = new ColdBooter(host, resources, guestStart);
        destroyer = new Destroyer(host, resources);
        live = new LiveSandboxes(host, destroyer);
        pauser = new Pauser(host, live, resources);
        resumer = new Resumer(host, live, resources, guestStart, coldBooter);
        snapshotter = new Snapshotter(host, live, pauser, resumer);
        warmStarts = new WarmStarts(host, new WarmPrimer(host, resources, coldBooter, guestStart, snapshotter));
        creator = new Creator(host, coldBooter, new Restorer(host, resources, guestStart), warmStarts);
        imageMaker = new ImageMaker(host, live);
        templateRemover = new TemplateRemover(host);
        timeouts = new Timeouts(host, live, pauser, destroyer);
        diskFullStops = new DiskFullStops(host);
        accessTokens = new AccessTokens(host, live);
        recovery = new Recovery(host, pauser, destroyer);
        networkPolicies = new NetworkPolicies(host, live);
    }

    /** Steps at which tests simulate a crash of the agent (by throwing an {@link Error}, which skips every undo). */
    @FunctionalInterface
    public interface CrashPoints {
        void reached(String step);
    }

    /**
     * Called at {@code pause.saving}, {@code pause.saved}, {@code pause.committed},
     * {@code resume.loading}, {@code snapshot.saving}, {@code snapshot.written},
     * {@code snapshot.promoted}, {@code create.started}, {@code upload.started},
     * {@code image.copying}, {@code image.written} and {@code warm.booted} (a warm snapshot's primer
     * booted, not saved yet).
     */
    public void crashPoints(CrashPoints value) {
        host.crashPoints(value);
    }

    /** A named step of work done outside this package (a file upload's), for {@link #crashPoints}. */
    public void crashPoint(String step) {
        host.crashPoint(step);
    }

    /**
     * Whether creates of platform images restore from the machine's warm snapshot of the image
     * (primed in the background after the first cold boot of each image and machine size). Off
     * until set: the host agent turns it on as its configuration says.
     */
    public void warmStarts(boolean enabled) {
        warmStarts.enabled(enabled);
    }

    public boolean warmStarts() {
        return warmStarts.enabled();
    }

    /** Whether this agent has no warm snapshot queued or being primed (tests and the benchmark wait for it). */
    public boolean warmPrimingIdle() {
        return warmStarts.idle();
    }

    public void accelerator(Accelerator value) {
        host.accelerator(value);
    }

    public Accelerator accelerator() {
        return host.accelerator();
    }

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
        return withEnvdVersion(creator.create(requested, accessToken));
    }

    private static final Duration ENVD_VERSION_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Asks the guest which envd it runs, so the E2B facade reports the guest's own version (the
     * SDKs gate features by it). A guest that does not say keeps the sandbox usable: null.
     */
    private static Sandbox withEnvdVersion(Sandbox sandbox) {
        try {
            GuestConnection guest = sandbox.guest();
            sandbox.envdVersion(guest == null ? null : guest.envdVersion(ENVD_VERSION_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.debug("sandbox {}: envd version unknown: {}", sandbox.id(), e.toString());
            sandbox.envdVersion(null);
        }
        return sandbox;
    }

    /**
     * Whether a guest boots with {@code accel}: creates a throw-away sandbox of {@code template}
     * with a single attempt and a short deadline, then destroys it.
     */
    public boolean bootsWith(Accelerator accel, Template template, Duration deadline) {
        return creator.bootsWith(accel, template, deadline);
    }

    /**
     * Saves a running sandbox and frees its VM, namespace and RAM. The phase is written before
     * each step; the saved state is committed by renaming its directory, so an agent that dies
     * at any step either finds a complete pause (and finishes it) or none (and runs the VM on).
     */
    public Sandbox pause(String sandboxId) {
        return pauser.pause(sandboxId, true);
    }

    /**
     * As {@link #pause(String)}; without {@code keepMemory} only the disk is kept (the guest
     * flushes its writes first) and the RAM file is deleted: the resume boots the disk, with the
     * sandbox's files, environment and network policy and none of its processes.
     */
    public Sandbox pause(String sandboxId, boolean keepMemory) {
        return pauser.pause(sandboxId, keepMemory);
    }

    /** Whether a paused sandbox was paused keeping only its disk (false for any other). */
    public boolean pausedWithoutMemory(Sandbox sandbox) {
        if (sandbox.state() != Sandbox.State.PAUSED) {
            return false;
        }
        try {
            PauseState pause = PauseState.read(host.layout.sandboxPauseDir(sandbox.id()));
            return pause != null && pause.diskOnly();
        } catch (SandboxException e) {
            return false;
        }
    }

    /**
     * Brings a paused sandbox back with exactly its latest pause: the generation must match
     * ({@code expectedGeneration} 0 = whatever is latest) and the files their checksums.
     *
     * @param timeoutS seconds until its timeout applies again, 0 = never
     */
    public Sandbox resume(String sandboxId, long expectedGeneration, int timeoutS) {
        return resume(sandboxId, expectedGeneration, timeoutS, false);
    }

    /**
     * As {@link #resume(String, long, int)}; with {@code reboot}, or for a pause that kept only the
     * disk, the disk is booted (its saved memory, if any, is given up).
     */
    public Sandbox resume(String sandboxId, long expectedGeneration, int timeoutS, boolean reboot) {
        return resume(sandboxId, expectedGeneration, timeoutS, reboot, null);
    }

    /**
     * As {@link #resume(String, long, int, boolean)}; with {@code newToken} (null or empty: keep)
     * the resumed guest's envd holds that access token and refuses the one it held before.
     */
    public Sandbox resume(String sandboxId, long expectedGeneration, int timeoutS, boolean reboot, String newToken) {
        return withEnvdVersion(resumer.resume(sandboxId, expectedGeneration, timeoutS, reboot, newToken));
    }

    /** Gives a running sandbox's envd {@code newToken}; the old one is refused from then on. */
    public Sandbox rotateAccessToken(String sandboxId, String newToken) {
        return accessTokens.rotateAccessToken(sandboxId, newToken);
    }

    /**
     * Makes snapshot template {@code teamId}/{@code name} of a running sandbox (it keeps running:
     * its vCPUs stop while the state is saved and its RAM copied) or a paused one (it stays
     * paused).
     */
    public Template snapshot(String sandboxId, String teamId, String name) {
        return snapshotter.snapshot(sandboxId, teamId, name, GuestDefaults.NONE);
    }

    /**
     * As {@link #snapshot(String, String, String)}, first giving the running guest {@code defaults}
     * (a template build's user, workdir and environment), which the snapshot then holds.
     */
    public Template snapshot(String sandboxId, String teamId, String name, GuestDefaults defaults) {
        return snapshotter.snapshot(sandboxId, teamId, name, defaults);
    }

    /**
     * Makes image template {@code teamId}/{@code name} of a running sandbox's disk (no memory: it
     * cold-boots at any size). The sandbox runs on; its vCPUs stop while its disk is copied.
     * Empty {@code defaultUser}/{@code defaultWorkdir} keep the sandbox's.
     */
    public Template makeImage(String sandboxId, String teamId, String name, String defaultUser, String defaultWorkdir,
            Map<String, String> defaultEnv) {
        return imageMaker.make(sandboxId, teamId, name, defaultUser, defaultWorkdir, defaultEnv);
    }

    /**
     * Removes a template made on this host ({@code teamId}/{@code name}: a snapshot or an image).
     * Refused while a sandbox of this host (running or paused) was made from it.
     */
    public void deleteTemplate(String teamId, String name) {
        templateRemover.deleteTemplate(teamId, name);
    }

    /** Stops the VM and removes its namespace and files. Unknown ids succeed. */
    public void destroy(String sandboxId) {
        destroyer.destroy(sandboxId);
    }

    /**
     * Refuses new creates and makes boots in progress give up, so that shutdown does not wait
     * for them (a create that gives up undoes itself).
     */
    public void shutdown() {
        host.close();
        warmStarts.close();
    }

    /** Closes this agent's connections to the guests (their VMs may run on, for the next agent to adopt). */
    public void closeGuestConnections() {
        host.sandboxes.values().forEach(SandboxResources::closeGuest);
    }

    /** Lets go of what this agent held for VMs yet to start (template memories); at its close, once nothing starts. */
    public void releaseVmResources() {
        host.vms.close();
    }

    /** Destroys every sandbox, in parallel (shutdown of {@code wrenn up}). */
    public void destroyAll() {
        destroyer.destroyAll();
    }

    /** Moves a running sandbox's expiry to {@code timeoutS} seconds from now (0 = never) and persists it. */
    public Sandbox setTimeout(String sandboxId, int timeoutS) {
        return timeouts.setTimeout(sandboxId, timeoutS);
    }

    /**
     * Replaces a sandbox's egress policy: at once in its namespace when it runs, and in its record
     * whatever its state, so a resume applies it.
     */
    public Sandbox setNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        return networkPolicies.setPolicy(sandboxId, policy);
    }

    /** The egress policy in force for a sandbox that is not stopped. */
    public NetworkPolicy networkPolicy(String sandboxId) {
        return live.known(sandboxId).record().spec().network();
    }

    /**
     * The end of a sandbox's serial console, at most {@code maxBytes} (see
     * {@link io.wrenn.hostagent.vm.ConsoleTail#read}), for a sandbox in any state but stopped: a
     * paused one keeps its {@code serial.log} in its directory, and its resume appends to it.
     */
    public io.wrenn.hostagent.vm.ConsoleTail.Tail console(String sandboxId, int maxBytes) {
        Sandbox sandbox = live.known(sandboxId);
        try {
            return io.wrenn.hostagent.vm.ConsoleTail.read(host.layout.sandboxSerialLog(sandbox.id()), maxBytes);
        } catch (java.io.IOException e) {
            // The error only: the console's content is the guest's and is never logged.
            LOG.warn("sandbox {}: could not read its console: {}", sandbox.id(), e.toString());
            throw new SandboxException(SandboxException.Kind.INTERNAL, "could not read the sandbox's console");
        }
    }

    /** Connections the sandbox's namespace refused since it was last set up (0 when not running). */
    public long deniedConnections(String sandboxId) {
        return networkPolicies.deniedConnections(sandboxId);
    }

    /**
     * The sandboxes this host has. A running sandbox whose QEMU has gone is not listed; its
     * clean-up starts in the background.
     */
    public List<Sandbox> list() {
        return live.list();
    }

    /**
     * A running sandbox whose guest can answer, or NOT_FOUND / FAILED_PRECONDITION, or
     * RESOURCE_EXHAUSTED while QEMU holds it stopped on a full disk.
     */
    public Sandbox running(String sandboxId) {
        Sandbox sandbox = live.running(sandboxId);
        if (sandbox.stoppedOnFullDisk()) {
            throw DiskFull.exception("the sandbox is stopped until there is room again (nothing it wrote is lost)", null);
        }
        return sandbox;
    }

    /**
     * One reaper pass: caps console logs, destroys sandboxes whose timeout expired, cleans up
     * those whose VM died and lets those QEMU stopped on a full disk go on once there is room.
     */
    public void reap() {
        capConsoleLogs();
        timeouts.reap();
        // A QMP round trip per running VM: every fifth pass (seconds) is soon enough for a full disk.
        if (reapPasses++ % 5 == 0) {
            diskFullStops.pass();
            host.vms.releaseUnused();
        }
    }

    private final long consoleLogMaxBytes = io.wrenn.hostagent.vm.ConsoleLog.configuredMaxBytes();

    /** Keeps every sandbox's console log within its bound (a guest may flood its console). */
    private void capConsoleLogs() {
        for (String id : List.copyOf(host.sandboxes.keySet())) {
            try {
                io.wrenn.hostagent.vm.ConsoleLog.cap(host.layout.sandboxSerialLog(id), consoleLogMaxBytes);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("could not cap the console log of sandbox {}: {}", id, e.toString());
            }
        }
    }

    /**
     * Rebuilds the map from disk after a start: a sandbox whose QEMU still runs is re-adopted as
     * running; a dead one is cleaned up. Namespaces named {@code wrenn-*} with no sandbox behind
     * them and nothing running inside are removed too.
     */
    public void recover() {
        recovery.recover();
    }
}
