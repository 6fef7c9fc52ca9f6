package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.guest.GuestConnection;
import io.wrenn.hostagent.net.NetworkSlot;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One sandbox this agent manages: what was asked for, its VM's PID, its lifecycle state and a
 * connection to its guest agent. {@link #lock} serialises create, destroy, pause, resume and snapshot
 * of the same sandbox.
 */
public final class Sandbox {

    public enum State { STARTING, RUNNING, STOPPING, STOPPED, PAUSING, PAUSED, RESUMING }

    /** How a sandbox came to be: a cold boot of its image, a warm snapshot of it, or its snapshot template. */
    public enum StartedFrom { COLD, WARM, SNAPSHOT }

    final ReentrantLock lock = new ReentrantLock();
    private volatile SandboxRecord record;
    private volatile long pid;
    private volatile State state;
    private volatile GuestConnection guest;
    /** What this incarnation's envd reported at its start (null: not known); not persisted. */
    private volatile String envdVersion;
    /** How this sandbox was created (null: not known, e.g. re-adopted after an agent restart); not persisted. */
    private volatile StartedFrom startedFrom;

    public StartedFrom startedFrom() {
        return startedFrom;
    }

    void startedFrom(StartedFrom value) {
        startedFrom = value;
    }

    /** QEMU stopped this VM on a write its full disk refused ({@link DiskFullStops} says when). */
    private volatile boolean stoppedOnFullDisk;

    boolean stoppedOnFullDisk() {
        return stoppedOnFullDisk;
    }

    void stoppedOnFullDisk(boolean value) {
        stoppedOnFullDisk = value;
    }

    public String envdVersion() {
        return envdVersion;
    }

    void envdVersion(String value) {
        envdVersion = value;
    }

    Sandbox(SandboxRecord record, State state) {
        this.record = record;
        this.state = state;
    }

    public String id() {
        return record.spec().sandboxId();
    }

    public SandboxRecord record() {
        return record;
    }

    void record(SandboxRecord value) {
        record = value;
    }

    public long pid() {
        return pid;
    }

    void pid(long value) {
        pid = value;
    }

    public State state() {
        return state;
    }

    void state(State value) {
        state = value;
    }

    /** The connection to this incarnation of the sandbox's guest (a new one after each boot, restore, resume or re-adoption). */
    public GuestConnection guest() {
        return guest;
    }

    void guest(GuestConnection value) {
        guest = value;
    }

    public NetworkSlot slot() {
        return new NetworkSlot(record.slot());
    }
}
