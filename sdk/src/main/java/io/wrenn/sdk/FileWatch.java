package io.wrenn.sdk;

/**
 * A running watch of a directory; {@link #close()} stops it. Events reach the callback given
 * to {@link Filesystem#watch} from the moment the watch was returned.
 */
public interface FileWatch extends AutoCloseable {

    /** True until the watch is closed or its connection ends (e.g. the sandbox went away). */
    boolean isActive();

    /** Stops watching. */
    @Override
    void close();
}
