package io.wrenn.sdk.testing;

import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Commands;
import io.wrenn.sdk.Filesystem;
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

    FakeSandbox(WrennFake fake, String id, SandboxSpec spec, Template template, FakeDisk disk) {
        this.fake = fake;
        this.id = id;
        this.spec = spec;
        this.template = template;
        this.disk = disk;
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

    FakeProcess newProcess(CommandSpec processSpec, List<String> args) {
        FakeProcess process = new FakeProcess(nextPid++, processSpec, args,
                new FakeFilesystem(this, processSpec.user() == null ? "user" : processSpec.user()));
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
    public SandboxInfo pause() {
        synchronized (lock()) {
            requireRunning();
            status = SandboxStatus.PAUSED;
            return info();
        }
    }

    @Override
    public SandboxInfo resume() {
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
    public Sandbox fork(String snapshotName) {
        return fake.sandboxes().create(SandboxSpec.of(snapshot(snapshotName).name()));
    }

    @Override
    public void kill() {
        synchronized (lock()) {
            if (status != SandboxStatus.STOPPED) {
                status = SandboxStatus.STOPPED;
                statusReason = "deleted";
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
