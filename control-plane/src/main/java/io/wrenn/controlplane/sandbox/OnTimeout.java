package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.ApiException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a sandbox's timeout does: the API's {@code on_timeout}, the database column of the same
 * name and the host agent's enum, one set of values.
 */
public enum OnTimeout {
    DESTROY("destroy"),
    /** Memory and disk are saved; a resume continues where it stopped. */
    PAUSE("pause"),
    /** Only the disk is kept: the resume boots it. */
    PAUSE_FILESYSTEM("pause_filesystem");

    private final String wire;

    OnTimeout(String wire) {
        this.wire = wire;
    }

    /** As the API and the database write it. */
    public String wire() {
        return wire;
    }

    public boolean pauses() {
        return this != DESTROY;
    }

    /** The API's value, or a 400 naming the accepted ones. */
    public static OnTimeout parse(String value) {
        for (OnTimeout candidate : values()) {
            if (candidate.wire.equals(value)) {
                return candidate;
            }
        }
        throw ApiException.invalid("'on_timeout' must be " + Arrays.stream(values()).map(v -> "'" + v.wire + "'")
                .collect(Collectors.joining(", ")));
    }

    /** A value the database holds (written through {@link #wire()} only). */
    public static OnTimeout fromColumn(String value) {
        for (OnTimeout candidate : values()) {
            if (candidate.wire.equals(value)) {
                return candidate;
            }
        }
        throw new IllegalStateException("unknown on_timeout in the database: " + value);
    }

    public io.wrenn.hostagent.protocol.OnTimeout toProto() {
        return switch (this) {
            case DESTROY -> io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_DESTROY;
            case PAUSE -> io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_PAUSE;
            case PAUSE_FILESYSTEM -> io.wrenn.hostagent.protocol.OnTimeout.ON_TIMEOUT_PAUSE_FILESYSTEM;
        };
    }
}
