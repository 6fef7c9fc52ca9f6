package io.wrenn.envd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Times for the start-up line, read from /proc with 10 ms precision: the kernel's uptime, and the
 * JVM's age (the JDK's own process start instant is only precise to the second, and
 * java.management is not in envd's runtime image).
 */
final class StartupClock {
    /** USER_HZ: the unit of /proc/[pid]/stat times; 100 on every Linux architecture envd runs on. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    private StartupClock() {
    }

    /** Milliseconds since the kernel booted. */
    static OptionalLong systemUptimeMillis() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            return OptionalLong.of(Math.round(Double.parseDouble(uptime) * 1000));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Milliseconds since this JVM's process started. */
    static OptionalLong processAgeMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name (which may contain spaces) start at field 3; starttime is field 22.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[22 - 3]);
            OptionalLong uptime = systemUptimeMillis();
            return uptime.isPresent()
                    ? OptionalLong.of(uptime.getAsLong() - startTicks * 1000 / CLOCK_TICKS_PER_SECOND)
                    : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
