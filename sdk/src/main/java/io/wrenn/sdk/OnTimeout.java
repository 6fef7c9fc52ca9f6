package io.wrenn.sdk;

import java.util.Locale;

/** What a sandbox's timeout does to it. */
public enum OnTimeout {
    /** Stop and remove it (the default). */
    DESTROY,
    /** Pause it: memory and disk are kept, it costs no RAM or CPU, a resume brings it back. */
    PAUSE,
    /** Pause it keeping only its disk: no RAM kept, a resume boots it (files kept, processes gone). */
    PAUSE_FILESYSTEM;

    /** The wire form. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
