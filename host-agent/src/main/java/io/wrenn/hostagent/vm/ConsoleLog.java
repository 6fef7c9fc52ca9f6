package io.wrenn.hostagent.vm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A guest's serial console on the host ({@code serial.log}), kept within a size: the tenant is
 * root in its guest and may write to its console without end. QEMU appends to the file (opened
 * {@code O_APPEND}, see {@link QemuCommandLine}), so the host may empty it at any time and QEMU
 * writes on at its new end, with no hole. {@link #cap} is called periodically: a log over its
 * bound has its last {@code maxBytes} moved to {@code serial.log.1} (replacing the previous one)
 * and is emptied. What QEMU writes between the copy and the emptying is lost: a console under a
 * flood loses a little of its output, never the host's disk. Between two passes the log grows by
 * at most what QEMU writes in that time.
 */
public final class ConsoleLog {

    /** The bound of each of {@code serial.log} and {@code serial.log.1}, unless {@code WRENN_CONSOLE_LOG_MAX_BYTES} says otherwise. */
    public static final long DEFAULT_MAX_BYTES = 1 << 20;

    private ConsoleLog() {
    }

    /** The bound configured for this process: {@code WRENN_CONSOLE_LOG_MAX_BYTES} or {@link #DEFAULT_MAX_BYTES}. */
    public static long configuredMaxBytes() {
        String value = System.getenv("WRENN_CONSOLE_LOG_MAX_BYTES");
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_BYTES;
        }
        try {
            return Math.max(4096, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("WRENN_CONSOLE_LOG_MAX_BYTES must be a number of bytes, not " + value);
        }
    }

    /** The previous part of {@code log}. */
    public static Path rotated(Path log) {
        return log.resolveSibling(log.getFileName() + ".1");
    }

    /**
     * Rotates {@code log} when it holds more than {@code maxBytes}: its last {@code maxBytes}
     * become {@link #rotated(Path)} and it is emptied. A missing log is left alone.
     *
     * @return whether it rotated
     */
    public static boolean cap(Path log, long maxBytes) throws IOException {
        long size;
        try {
            size = Files.size(log);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (size <= maxBytes) {
            return false;
        }
        Path staging = log.resolveSibling(log.getFileName() + ".1.tmp");
        Files.deleteIfExists(staging);
        try (FileChannel in = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel out = FileChannel.open(staging, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            long from = size - maxBytes;
            long copied = 0;
            while (copied < maxBytes) {
                long n = in.transferTo(from + copied, maxBytes - copied, out);
                if (n <= 0) {
                    break;
                }
                copied += n;
            }
            in.truncate(0);
        }
        Files.move(staging, rotated(log), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }
}
