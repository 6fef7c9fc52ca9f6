package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells a write that failed because the host's filesystem is full from any other failure, so
 * the call answers "disk full" (the operator's to fix, the caller's to retry later) instead of
 * an internal error. QEMU's migration and {@code qemu-img} report ENOSPC only in their own
 * words, so besides the error text the filesystem's free space is read, before the failed
 * call's partial files are removed.
 */
final class DiskFull {

    /** The status description's words that the control plane reads as "disk full" (hostagent.proto says so). */
    static final String MESSAGE = "the host's disk is full";

    // Below this a write of a pause or a snapshot cannot have failed for another reason worth reporting.
    private static final long NEARLY_FULL_BYTES = 16L << 20;

    private DiskFull() {
    }

    static boolean caused(Path onFilesystem, Throwable failure) {
        if (named(failure)) {
            return true;
        }
        try {
            Path existing = onFilesystem;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing != null && Files.getFileStore(existing).getUsableSpace() < NEARLY_FULL_BYTES;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the failure, or one of its causes, says the disk is full (ENOSPC's words). */
    static boolean named(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    static SandboxException exception(String what, Throwable cause) {
        return new SandboxException(SandboxException.Kind.RESOURCE_EXHAUSTED, MESSAGE + ": " + what, cause);
    }
}
