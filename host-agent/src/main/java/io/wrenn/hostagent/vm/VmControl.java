package io.wrenn.hostagent.vm;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Commands to a running VM through its control socket: run and stop its vCPUs, save and load its
 * state, grow its disk. The seam between the sandbox jobs and QEMU's QMP ({@link QmpVmControl};
 * a fake in unit tests). Every method fails with a runtime exception when QEMU refuses or is gone.
 */
public interface VmControl {

    /** QEMU's run state, as far as the sandbox jobs tell them apart. */
    enum RunState {
        /** {@code IO_ERROR}: stopped by a write its disk refused (a full host disk). */
        RUNNING, PAUSED, INMIGRATE, FINISH_MIGRATE, POSTMIGRATE, IO_ERROR, OTHER;

        /** From QMP's {@code query-status} name ({@code running}, {@code finish-migrate}, ...). */
        public static RunState ofQmp(String status) {
            for (RunState state : values()) {
                if (state != OTHER && state.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(status)) {
                    return state;
                }
            }
            return OTHER;
        }

        /** Its vCPUs stopped by a save (an agent that died mid-pause or mid-snapshot left it so). */
        public boolean leftStopped() {
            return this == PAUSED || this == FINISH_MIGRATE || this == POSTMIGRATE;
        }
    }

    /** Stops the guest's vCPUs. */
    void stop(Path qmpSocket);

    /** Runs the guest's vCPUs again (after a stop, a save, or a load). */
    void cont(Path qmpSocket);

    RunState status(Path qmpSocket);

    /** Cancels a save in progress, if any. */
    void cancelSave(Path qmpSocket);

    /**
     * Writes the stopped VM's state to {@code target}; the VM stays stopped. With
     * {@code ignoreShared} RAM mapped shared from a file is left out (the file is the RAM).
     */
    void save(Path qmpSocket, Path target, boolean ignoreShared);

    /**
     * Loads {@code source}, the {@link VmSpec#incomingState} the VM was started with, into it; returns when it is loaded. The VM
     * is then stopped: {@link #cont} runs it. {@code ignoreShared} as it was saved.
     */
    void load(Path qmpSocket, Path source, boolean ignoreShared);

    /** Grows the guest's disk; the guest sees the new size at once. */
    void resizeDisk(Path qmpSocket, long bytes);
}
