package io.wrenn.envd.init;

import io.wrenn.envd.linux.Libc;

/**
 * The kernel's random number generator, seen from /init. Every sandbox restored from one memory
 * snapshot starts with the same CRNG state; mixing in host-provided bytes and forcing a reseed
 * makes their random streams diverge at once. A seam so tests never touch the test machine's pool.
 */
@FunctionalInterface
public interface EntropyPool {
    /** Mixes {@code seed} into the pool, credits it and reseeds the CRNG; returns 0 or an errno. */
    int reseed(byte[] seed);

    static EntropyPool kernel() {
        return Libc::addEntropyAndReseed;
    }
}
