package io.wrenn.envd.init;

import io.wrenn.envd.linux.Libc;

import java.time.Instant;

/** Sets the guest's wall clock; a seam so tests never touch the clock of the machine they run on. */
@FunctionalInterface
public interface SystemClock {
    /** Sets the clock; returns 0 on success or an errno. */
    int set(Instant instant);

    static SystemClock realtime() {
        return Libc::setRealtimeClock;
    }
}
