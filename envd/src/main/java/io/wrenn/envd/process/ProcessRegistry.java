package io.wrenn.envd.process;

import io.wrenn.envd.connect.ConnectException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The processes envd started, by pid. An exited process stays findable for {@code retention}, so a
 * client that reattaches just after the end still receives the output and the exit status; at most
 * {@link #MAX_RETAINED} exited processes are kept (oldest forgotten first), so a burst of short
 * commands cannot pile up output windows.
 */
public final class ProcessRegistry implements AutoCloseable {
    static final int MAX_RETAINED = 64;

    private final ProcessLauncher launcher;
    private final long outputCapacity;
    private final Duration retention;
    private final Map<Integer, ManagedProcess> processes = new ConcurrentHashMap<>();
    private final java.util.ArrayDeque<ManagedProcess> retained = new java.util.ArrayDeque<>(); // guarded by itself
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("envd-timers").factory());

    public ProcessRegistry(ProcessLauncher launcher, long outputCapacity, Duration retention) {
        this.launcher = launcher;
        this.outputCapacity = outputCapacity;
        this.retention = retention;
    }

    public ProcessLauncher launcher() {
        return launcher;
    }

    public ManagedProcess start(ProcessSpec spec, Optional<Duration> timeout) {
        ManagedProcess process = ManagedProcess.start(spec, launcher, outputCapacity);
        int pid = process.pid();
        processes.put(pid, process);
        timeout.ifPresent(t -> timers.schedule(() -> killQuietly(process), t.toMillis(), TimeUnit.MILLISECONDS));
        process.exit().whenComplete((status, error) -> retain(process));
        return process;
    }

    private void retain(ManagedProcess process) {
        synchronized (retained) {
            retained.addLast(process);
            while (retained.size() > MAX_RETAINED) {
                forget(retained.removeFirst());
            }
        }
        timers.schedule(() -> {
            synchronized (retained) {
                retained.remove(process);
            }
            forget(process);
        }, retention.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void forget(ManagedProcess process) {
        processes.remove(process.pid(), process);
    }

    private static void killQuietly(ManagedProcess process) {
        if (process.isRunning()) {
            try {
                process.signal(9);
            } catch (ConnectException e) {
                // It ended meanwhile.
            }
        }
    }

    /** Running processes, oldest pid first. */
    public List<ManagedProcess> running() {
        var list = new ArrayList<ManagedProcess>();
        for (ManagedProcess p : processes.values()) {
            if (p.isRunning()) {
                list.add(p);
            }
        }
        list.sort(Comparator.comparingInt(ManagedProcess::pid));
        return list;
    }

    /** A running or recently exited process, by pid or by tag (a running one wins over an exited one). */
    public Optional<ManagedProcess> find(Selector selector) {
        return switch (selector) {
            case Selector.ByPid(int pid) -> Optional.ofNullable(processes.get(pid));
            case Selector.ByTag(String tag) -> processes.values().stream()
                    .filter(p -> p.tag().filter(tag::equals).isPresent())
                    .max(Comparator.comparing(ManagedProcess::isRunning).thenComparingInt(ManagedProcess::pid));
        };
    }

    public ManagedProcess require(Selector selector) {
        return find(selector).orElseThrow(() -> ConnectException.notFound("process " + selector.describe() + " not found"));
    }

    public ManagedProcess requireRunning(Selector selector) {
        ManagedProcess process = require(selector);
        if (!process.isRunning()) {
            throw ConnectException.notFound("process " + selector.describe() + " is not running");
        }
        return process;
    }

    /** Kills every process still running; used when envd stops (and by tests). */
    @Override
    public void close() {
        for (ManagedProcess p : running()) {
            killQuietly(p);
        }
        timers.shutdownNow();
    }
}
