package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.disk.DiskImages;
import io.wrenn.hostagent.guest.Download;
import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.guest.GuestConnector;
import io.wrenn.hostagent.guest.GuestException;
import io.wrenn.hostagent.guest.GuestFilesystem;
import io.wrenn.hostagent.guest.GuestProcesses;
import io.wrenn.hostagent.guest.ProcessStream;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;
import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandResult;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.vm.VirtualMachines;
import io.wrenn.hostagent.vm.VmControl;
import io.wrenn.hostagent.vm.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Hand-written stand-ins for the Linux seams, recording what was asked of them. */
final class Fakes {

    private Fakes() {
    }

    /** The platform's {@code minimal} image template (a sparse 160 MiB root filesystem) and the sandboxes directory. */
    static void minimalTemplate(io.wrenn.hostagent.layout.Layout layout) throws IOException {
        String team = io.wrenn.hostagent.layout.Layout.PLATFORM_TEAM;
        Files.createDirectories(layout.templateDir(team, "minimal"));
        Files.writeString(layout.templateJson(team, "minimal"),
                "{\"name\":\"minimal\",\"default_user\":\"user\",\"default_workdir\":\"/home/user\",\"image_size_mb\":160}");
        sparseFile(layout.templateRootfs(team, "minimal"), 160);
        Files.createDirectories(layout.sandboxesDir());
    }

    /** A file of {@code mb} MiB that holds nothing (a stand-in image). */
    static void sparseFile(Path path, long mb) throws IOException {
        try (var file = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.position((mb << 20) - 1);
            file.write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
    }

    /** Every program fails: callers must cope (the template catalog falls back to file sizes). */
    static final class FailingCommands implements CommandRunner {
        @Override
        public CommandResult runUnchecked(Command command) {
            return new CommandResult(1, "fake");
        }

        @Override
        public ProcessHandle spawn(Command command) {
            throw new io.wrenn.hostagent.os.CommandFailedException(command.argv(), "fake", null);
        }
    }

    static final class Network implements SandboxNetwork {
        final List<String> created = new CopyOnWriteArrayList<>();
        final List<String> deleted = new CopyOnWriteArrayList<>();
        final Set<String> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.Map<String, io.wrenn.hostagent.net.NetworkPolicy> policies = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void create(String namespace, NetworkSlot slot, io.wrenn.hostagent.net.NetworkPolicy policy) {
            created.add(namespace + "@" + slot.number());
            live.add(namespace);
            policies.put(namespace, policy);
        }

        @Override
        public void updatePolicy(String namespace, NetworkSlot slot, io.wrenn.hostagent.net.NetworkPolicy policy) {
            policies.put(namespace, policy);
        }

        @Override
        public long deniedConnections(String namespace) {
            return 0;
        }

        @Override
        public void adopt(String namespace, NetworkSlot slot, io.wrenn.hostagent.net.NetworkPolicy policy) {
        }

        @Override
        public void delete(String namespace, NetworkSlot slot) {
            deleted.add(namespace);
            live.remove(namespace);
        }

        @Override
        public List<String> listNamespaces() {
            return new ArrayList<>(live);
        }

        /**
         * Slots a real agent on this machine holds count as taken, as they do for the real
         * network: a fake guest must never share an address with a real one, whose envd would
         * answer in its place.
         */
        @Override
        public boolean hostVethExists(int slotNumber) {
            return Files.exists(Path.of("/sys/class/net", "wrh" + slotNumber));
        }

        @Override
        public List<Long> pidsIn(String namespace) {
            return List.of();
        }

        @Override
        public long ageMillis(String namespace) {
            return Long.MAX_VALUE;
        }
    }

    static final class Disks implements DiskImages {
        final List<Path> overlays = new CopyOnWriteArrayList<>();
        volatile RuntimeException failCopy;
        /** The base image of each overlay, in order. */
        final List<Path> bases = new CopyOnWriteArrayList<>();

        @Override
        public void createOverlay(Path base, Path overlay, long sizeMb) {
            overlays.add(overlay);
            bases.add(base);
            try {
                Files.writeString(overlay, "overlay of " + base + " " + sizeMb + "M");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void flatten(Path overlay, Path target) {
            copySparse(overlay, target);
        }

        @Override
        public void flattenRaw(Path overlay, Path target) {
            copySparse(overlay, target);
        }

        @Override
        public void repairFilesystem(Path image) {
        }

        @Override
        public long minimumFilesystemMb(Path image) {
            return 1;
        }

        @Override
        public void resizeFilesystem(Path image, long sizeMb) {
        }

        @Override
        public void copySparse(Path source, Path target) {
            if (failCopy != null) {
                throw failCopy;
            }
            try {
                Files.copy(source, target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final class Vms implements VirtualMachines {
        final AtomicLong nextPid = new AtomicLong(4_000_000);
        final Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<Long> killed = new CopyOnWriteArrayList<>();
        volatile RuntimeException failStart;
        /** What each VM's guest writes to its console at start (null: nothing, a silent boot). */
        volatile String console;

        /** The control sockets of the running VMs, for {@link Control}: what state each VM is in. */
        final java.util.Map<Path, VmControl.RunState> states = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Map<Long, Path> sockets = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public long start(VmSpec spec) {
            if (failStart != null) {
                throw failStart;
            }
            long pid = nextPid.incrementAndGet();
            running.add(pid);
            try {
                Files.writeString(spec.pidFile(), Long.toString(pid));
                if (console != null) {
                    Files.writeString(spec.serialLog(), console);
                }
                if (spec.memoryShared() && !Files.exists(spec.memoryFile())) {
                    // QEMU creates a shared RAM file of the VM's size; a few bytes stand for it here.
                    Files.writeString(spec.memoryFile(), "ram of " + spec.qmpSocket());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sockets.put(pid, spec.qmpSocket());
            states.put(spec.qmpSocket(), spec.incoming() ? VmControl.RunState.INMIGRATE : VmControl.RunState.RUNNING);
            return pid;
        }

        @Override
        public boolean isRunning(long pid, Path qmpSocket) {
            return running.contains(pid);
        }

        @Override
        public void stop(long pid, Path qmpSocket, java.time.Duration grace) {
            kill(pid, qmpSocket);
        }

        @Override
        public void kill(long pid, Path qmpSocket) {
            if (running.remove(pid)) {
                killed.add(pid);
                Path socket = sockets.remove(pid);
                if (socket != null) {
                    states.remove(socket);
                }
            }
        }

        /** What the fake QEMU reports itself as; a test changes it to stand for an upgrade. */
        volatile io.wrenn.hostagent.vm.VmBuild build =
                new io.wrenn.hostagent.vm.VmBuild("QEMU emulator version 7.2.0 (fake)", "microvm", "0f".repeat(32));

        @Override
        public io.wrenn.hostagent.vm.VmBuild build(Path kernel) {
            return build;
        }

        /** A QEMU that dies by itself. */
        void crash(long pid) {
            running.remove(pid);
            Path socket = sockets.remove(pid);
            if (socket != null) {
                states.remove(socket);
            }
        }
    }

    /**
     * QMP of the fake VMs: run states as QEMU moves them, saved state written as a small file,
     * every command recorded as {@code "<command> <socket's sandbox dir name>"}. A command named in
     * {@link #failing} fails, as QEMU refusing it would.
     */
    static final class Control implements VmControl {
        final Vms vms;
        final List<String> commands = new CopyOnWriteArrayList<>();
        final Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Control(Vms vms) {
            this.vms = vms;
        }

        private RunState state(Path qmp, String command) {
            commands.add(command + " " + qmp.getParent().getFileName());
            RunState state = vms.states.get(qmp);
            if (state == null) {
                throw new IllegalStateException(command + ": no VM at " + qmp.getFileName());
            }
            if (failing.contains(command)) {
                throw new IllegalStateException(command + " failed (fake)");
            }
            return state;
        }

        /** What the VM at a sandbox's socket is doing; null when none runs. */
        RunState stateOf(Path qmp) {
            return vms.states.get(qmp);
        }

        @Override
        public void stop(Path qmp) {
            state(qmp, "stop");
            vms.states.put(qmp, RunState.PAUSED);
        }

        @Override
        public void cont(Path qmp) {
            RunState state = state(qmp, "cont");
            if (state == RunState.INMIGRATE || state == RunState.FINISH_MIGRATE) {
                throw new IllegalStateException("cont while " + state);
            }
            vms.states.put(qmp, RunState.RUNNING);
        }

        @Override
        public RunState status(Path qmp) {
            return state(qmp, "status");
        }

        @Override
        public void cancelSave(Path qmp) {
            if (state(qmp, "cancel") == RunState.FINISH_MIGRATE) {
                vms.states.put(qmp, RunState.PAUSED);
            }
        }

        @Override
        public void save(Path qmp, Path target, boolean ignoreShared) {
            if (state(qmp, "save") != RunState.PAUSED) {
                throw new IllegalStateException("save of a VM that is not stopped");
            }
            try {
                Files.writeString(target, "state of " + qmp.getParent().getFileName() + (ignoreShared ? " without RAM" : " with RAM"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            vms.states.put(qmp, RunState.POSTMIGRATE);
        }

        @Override
        public void load(Path qmp, Path source, boolean ignoreShared) {
            if (state(qmp, "load") != RunState.INMIGRATE) {
                throw new IllegalStateException("load into a VM that is not waiting for state");
            }
            if (!Files.isRegularFile(source)) {
                throw new IllegalStateException("no saved state at " + source.getFileName());
            }
            vms.states.put(qmp, RunState.PAUSED);
        }

        @Override
        public void resizeDisk(Path qmp, long bytes) {
            state(qmp, "resize");
        }
    }

    /** Guests that answer at once, each connection numbered and recording what went through it. */
    static final class Guests implements GuestConnector {
        final List<Guest> opened = new CopyOnWriteArrayList<>();
        /** How long the /init of guests opened from now on takes (a guest slow to answer after a restore). */
        volatile java.time.Duration initTakes = java.time.Duration.ZERO;
        /** Whether setting the clock again answers (a busy guest may not, in time). */
        volatile boolean clockAnswers = true;
        /** How many /init attempts of guests opened from now on go unanswered first (a guest of a loaded host). */
        volatile int initsUnanswered;
        /** How long after being opened guests from now on first answer {@code /health} (a slow boot). */
        volatile java.time.Duration upAfter = java.time.Duration.ZERO;

        @Override
        public GuestConnection connect(String address, String accessToken) {
            Guest guest = new Guest(opened.size() + 1, address, accessToken);
            guest.initTakes = initTakes;
            guest.clockAnswers = clockAnswers;
            guest.initsUnanswered = new java.util.concurrent.atomic.AtomicInteger(initsUnanswered);
            guest.upAt = System.nanoTime() + upAfter.toNanos();
            opened.add(guest);
            return guest;
        }
    }

    /** A guest agent that is up, initialises, has a large disk and answers traffic with its own number. */
    static final class Guest implements GuestConnection {
        final int number;
        final String address;
        final String accessToken;
        final List<String> forwarded = new CopyOnWriteArrayList<>();
        /** The times the clock was set to by {@link #setClock}. */
        final List<java.time.Instant> clockSets = new CopyOnWriteArrayList<>();
        /** The environments it was given by each /init, in order (envd replaces its own with each). */
        final List<java.util.Map<String, String>> envInits = new CopyOnWriteArrayList<>();
        volatile java.time.Duration initTakes = java.time.Duration.ZERO;
        volatile boolean clockAnswers = true;
        volatile java.util.concurrent.atomic.AtomicInteger initsUnanswered = new java.util.concurrent.atomic.AtomicInteger();
        /** When (System.nanoTime) it first answers /health. */
        volatile long upAt = Long.MIN_VALUE;
        volatile boolean closed;
        /** Nothing listens on any port: every forward is refused. */
        volatile boolean refusing;

        Guest(int number, String address, String accessToken) {
            this.number = number;
            this.address = address;
            this.accessToken = accessToken;
        }

        private void requireOpen() {
            if (closed) {
                throw new GuestException(GuestException.Kind.UNAVAILABLE, "closed connection used");
            }
        }

        @Override
        public boolean health(java.time.Duration timeout) {
            return !closed && System.nanoTime() - upAt >= 0;
        }

        @Override
        public boolean tryInit(java.util.Map<String, String> envVars, String defaultUser, String defaultWorkdir,
                java.time.Instant now, byte[] entropy, String guestToken, java.time.Duration timeout) {
            requireOpen();
            if (initsUnanswered.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return false; // timed out, as a guest too busy to answer in time
            }
            try {
                Thread.sleep(initTakes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            envInits.add(java.util.Map.copyOf(envVars));
            return true;
        }

        @Override
        public void setClock(java.time.Instant now) {
            requireOpen();
            if (!clockAnswers) {
                throw new GuestException(GuestException.Kind.UNAVAILABLE, "set clock: the guest agent did not answer");
            }
            clockSets.add(now);
        }

        /** What the fake envd says its version is. */
        volatile String envdVersion = "0.6.3";

        @Override
        public String envdVersion(java.time.Duration timeout) {
            requireOpen();
            return envdVersion;
        }

        @Override
        public long diskTotalBytes() {
            requireOpen();
            return Long.MAX_VALUE / 2;
        }

        @Override
        public tools.jackson.databind.JsonNode metrics(java.time.Duration timeout) {
            requireOpen();
            return tools.jackson.databind.json.JsonMapper.builder().build().createObjectNode()
                    .put("mem_used", 1L << 20).put("mem_total", 1L << 28);
        }

        @Override
        public ProcessStream start(StartSpec spec) {
            throw new UnsupportedOperationException("no processes in a fake guest");
        }

        /** How many times the guest was asked to flush its disk. */
        final java.util.concurrent.atomic.AtomicInteger syncs = new java.util.concurrent.atomic.AtomicInteger();
        /** The guest's flush fails (a hung guest). */
        volatile boolean syncFails;

        @Override
        public void sync() {
            requireOpen();
            if (syncFails) {
                throw new GuestException(GuestException.Kind.UNAVAILABLE, "sync did not answer");
            }
            syncs.incrementAndGet();
        }

        @Override
        public GuestProcesses processes() {
            throw new UnsupportedOperationException("no processes in a fake guest");
        }

        @Override
        public GuestFilesystem filesystem() {
            throw new UnsupportedOperationException("no files in a fake guest");
        }

        @Override
        public void writeFile(String path, String user, java.util.function.Supplier<java.io.InputStream> body) {
            throw new UnsupportedOperationException("no files in a fake guest");
        }

        @Override
        public Download readFile(String path, String user, long offset, long length) {
            throw new UnsupportedOperationException("no files in a fake guest");
        }

        @Override
        public java.net.http.HttpResponse<java.io.InputStream> forward(int port, String pathAndQuery,
                java.net.http.HttpRequest.Builder request) throws IOException {
            if (closed) {
                throw new IOException("connection closed");
            }
            if (refusing) {
                throw new java.net.ConnectException("connection refused");
            }
            forwarded.add(port + pathAndQuery);
            return new Answer(200, "guest " + number + " at " + address);
        }

        @Override
        public void abortStreams() {
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A plain response with a text body. */
    record Answer(int statusCode, String text) implements java.net.http.HttpResponse<java.io.InputStream> {
        @Override
        public java.net.http.HttpRequest request() {
            return null;
        }

        @Override
        public java.util.Optional<java.net.http.HttpResponse<java.io.InputStream>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(java.util.Map.of("Content-Type", List.of("text/plain")), (a, b) -> true);
        }

        @Override
        public java.io.InputStream body() {
            return new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.URI uri() {
            return java.net.URI.create("http://fake/");
        }

        @Override
        public java.net.http.HttpClient.Version version() {
            return java.net.http.HttpClient.Version.HTTP_1_1;
        }
    }
}
