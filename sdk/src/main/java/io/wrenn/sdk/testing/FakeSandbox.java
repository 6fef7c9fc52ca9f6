package io.wrenn.sdk.testing;

import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Commands;
import io.wrenn.sdk.Filesystem;
import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.SandboxMetrics;
import io.wrenn.sdk.SandboxConsole;
import io.wrenn.sdk.SandboxEvent;
import io.wrenn.sdk.SandboxNetwork;
import io.wrenn.sdk.OnTimeout;
import io.wrenn.sdk.Pty;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.Template;
import io.wrenn.sdk.WrennException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A sandbox of a {@link WrennFake}: a status, a {@link FakeDisk} and processes. */
final class FakeSandbox implements Sandbox {
    private final WrennFake fake;
    private final String id;
    private final SandboxSpec spec;
    private final Template template;
    private final Instant createdAt = Instant.now();
    private final FakeDisk disk;
    private final List<FakeProcess> processes = new ArrayList<>();
    private final FakeCommands commands = new FakeCommands(this);
    private SandboxStatus status = SandboxStatus.RUNNING;
    private String statusReason;
    private int nextPid = 100;
    private Instant stoppedAt;
    private Instant pausedAt;
    private final FakeNetwork network;
    private final Instant runningSince = Instant.now();
    private final List<SandboxEvent> calls = new ArrayList<>();
    private final FakeConsole console = new FakeConsole();

    FakeSandbox(WrennFake fake, String id, SandboxSpec spec, Template template, FakeDisk disk) {
        this.fake = fake;
        this.id = id;
        this.spec = spec;
        this.template = template;
        this.disk = disk;
        this.network = new FakeNetwork(this, spec.network());
        calls.add(new SandboxEvent(createdAt, "request", "POST /v1/sandboxes", null, "success", 201, "key-fake"));
    }

    private static SandboxEvent call(String route, int status) {
        return new SandboxEvent(Instant.now(), "request", route, null, status < 400 ? "success" : "failure", status,
                "key-fake");
    }

    /** Runs one call on the sandbox and records it as the server's audit log would, refused or not. */
    <T> T recorded(String method, String suffix, int okStatus, java.util.function.Supplier<T> call) {
        String route = method + " /v1/sandboxes/{id}" + suffix;
        try {
            T result = call.get();
            synchronized (lock()) {
                calls.add(call(route, okStatus));
            }
            return result;
        } catch (WrennException e) {
            synchronized (lock()) {
                calls.add(call(route, e.httpStatus()));
            }
            throw e;
        }
    }

    WrennFake fake() {
        return fake;
    }

    Object lock() {
        return fake;
    }

    SandboxStatus status() {
        return status;
    }

    String templateName() {
        return template.name();
    }

    /** Called with the lock held. */
    void requireRunning() {
        if (status != SandboxStatus.RUNNING) {
            throw new WrennException.ConflictException("invalid_state", 409, "the sandbox is not running");
        }
    }

    FakeDisk runningDisk() {
        synchronized (lock()) {
            requireRunning();
            return disk;
        }
    }

    /**
     * A new process; with {@code stdoutToConsole} (its shell line ended in {@code > /dev/console})
     * what it prints on stdout goes to the sandbox's console instead.
     */
    FakeProcess newProcess(CommandSpec processSpec, List<String> args, boolean stdoutToConsole) {
        FakeProcess process = new FakeProcess(nextPid++, processSpec, args,
                new FakeFilesystem(this, processSpec.user() == null ? "user" : processSpec.user()), console::write,
                stdoutToConsole);
        processes.add(process);
        return process;
    }

    List<FakeProcess> processes() {
        return processes;
    }

    FakeProcess process(int pid) {
        return processes.stream().filter(p -> p.pid() == pid).findFirst()
                .orElseThrow(() -> new WrennException.NotFoundException("process_not_found", 404, "no such process"));
    }

    FakeProcess process(String tag) {
        for (int i = processes.size() - 1; i >= 0; i--) {
            if (tag.equals(processes.get(i).spec().tag())) {
                return processes.get(i);
            }
        }
        throw new WrennException.NotFoundException("process_not_found", 404, "no such process");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SandboxInfo info() {
        synchronized (lock()) {
            Duration timeout = spec.timeout() == null ? Duration.ofMinutes(5) : spec.timeout();
            return new SandboxInfo(id, status, statusReason, template.name(),
                    spec.vcpus() == null ? template.vcpus() : spec.vcpus(),
                    spec.memoryMb() == null ? template.memoryMb() : spec.memoryMb(),
                    spec.diskSizeMb() == null ? 5120 : spec.diskSizeMb(), timeout,
                    spec.onTimeout() == null ? OnTimeout.DESTROY : spec.onTimeout(),
                    new ArrayList<>(spec.env().keySet()), spec.metadata(), createdAt,
                    status == SandboxStatus.RUNNING ? createdAt.plus(timeout) : null);
        }
    }

    @Override
    public Commands commands() {
        return commands;
    }

    @Override
    public Pty pty() {
        return commands;
    }

    @Override
    public Filesystem files() {
        return new FakeFilesystem(this, "user");
    }

    @Override
    public SandboxNetwork network() {
        return network;
    }

    @Override
    public SandboxMetrics metrics(MetricsRange range) {
        synchronized (lock()) {
            return FakeMetrics.sandbox(info(), stoppedAt, range);
        }
    }

    @Override
    public List<SandboxEvent> logs(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new WrennException.InvalidRequestException("invalid_request", 400,
                    "'limit' must be a whole number from 1 to 1000");
        }
        synchronized (lock()) {
            // Calls first: the server dates a call when it arrives, so on a tie the call precedes the
            // lifecycle event it caused (the sort is stable).
            List<SandboxEvent> events = new ArrayList<>(calls);
            events.add(new SandboxEvent(createdAt, "lifecycle", "created", "template " + template.name(), null, null,
                    null));
            events.add(new SandboxEvent(runningSince, "lifecycle", "running", null, null, null, null));
            if (status == SandboxStatus.PAUSED) {
                events.add(new SandboxEvent(pausedAt, "lifecycle", "paused", statusReason, null, null, null));
            }
            if (stoppedAt != null) {
                events.add(new SandboxEvent(stoppedAt, "lifecycle", "stopped", statusReason, null, null, null));
            }
            events.sort(java.util.Comparator.comparing(SandboxEvent::at));
            return new ArrayList<>(events.subList(Math.max(0, events.size() - limit), events.size()));
        }
    }

    /** Not recorded as a call: the server's audit log keeps only calls that change something. */
    @Override
    public SandboxConsole console(int maxBytes) {
        if (maxBytes < 1 || maxBytes > SandboxConsole.MAX_BYTES) {
            throw new WrennException.InvalidRequestException("invalid_request", 400,
                    "'bytes' must be a whole number from 1 to " + SandboxConsole.MAX_BYTES);
        }
        synchronized (lock()) {
            if (status == SandboxStatus.STOPPED) {
                throw new WrennException.ConflictException("invalid_state", 409,
                        "sandbox '" + id + "' is stopped; a console is kept only until its sandbox stops");
            }
        }
        return console.tail(maxBytes);
    }

    @Override
    public SandboxInfo pause() {
        return recorded("POST", "/pause", 200, this::pauseNow);
    }

    private SandboxInfo pauseNow() {
        synchronized (lock()) {
            requireRunning();
            status = SandboxStatus.PAUSED;
            pausedAt = Instant.now();
            return info();
        }
    }

    @Override
    public SandboxInfo resume() {
        return recorded("POST", "/resume", 200, this::resumeNow);
    }

    private SandboxInfo resumeNow() {
        synchronized (lock()) {
            if (status != SandboxStatus.PAUSED) {
                throw new WrennException.ConflictException("invalid_state", 409, "the sandbox is not paused");
            }
            status = SandboxStatus.RUNNING;
            return info();
        }
    }

    @Override
    public Template snapshot(String name) {
        synchronized (lock()) {
            if (status != SandboxStatus.RUNNING && status != SandboxStatus.PAUSED) {
                throw new WrennException.ConflictException("invalid_state", 409, "the sandbox is neither running nor paused");
            }
            return fake.addMadeTemplate(name, "snapshot", this, disk.copy());
        }
    }

    @Override
    public Template saveImage(String name) {
        synchronized (lock()) {
            requireRunning();
            return fake.addMadeTemplate(name, "image", this, disk.copy());
        }
    }

    @Override
    public List<Sandbox> fork(int count) {
        if (count < 1 || count > 10) {
            throw new WrennException.InvalidRequestException("invalid_request", 400, "count must be 1 to 10");
        }
        return recorded("POST", "/fork", 201, () -> {
            synchronized (lock()) {
                requireRunning();
                List<Sandbox> forks = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    forks.add(fake.addSandbox(spec, template, disk.copy()));
                }
                return forks;
            }
        });
    }

    @Override
    public void kill() {
        recorded("DELETE", "", 204, () -> {
            killNow();
            return null;
        });
    }

    private void killNow() {
        synchronized (lock()) {
            if (status != SandboxStatus.STOPPED) {
                status = SandboxStatus.STOPPED;
                statusReason = "deleted";
                stoppedAt = Instant.now();
                processes.forEach(FakeProcess::kill);
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return "FakeSandbox[" + id + "]";
    }
}
