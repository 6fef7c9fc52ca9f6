package io.wrenn.sdk;

/**
 * A range of time ending now, for {@link Sandbox#metrics(MetricsRange)} (every value) and
 * {@link Sandboxes#stats(MetricsRange)} (only 5 minutes, 1, 6 and 24 hours and 30 days).
 */
public enum MetricsRange {
    /** 5 minutes. */
    MINUTES_5("5m"),
    /** 10 minutes. */
    MINUTES_10("10m"),
    /** 1 hour. */
    HOUR_1("1h"),
    /** 2 hours. */
    HOURS_2("2h"),
    /** 6 hours. */
    HOURS_6("6h"),
    /** 12 hours. */
    HOURS_12("12h"),
    /** 24 hours. */
    HOURS_24("24h"),
    /** 7 days. */
    DAYS_7("7d"),
    /** 30 days. */
    DAYS_30("30d");

    private final String wire;

    MetricsRange(String wire) {
        this.wire = wire;
    }

    /** Its name on the wire and on the command line ({@code 10m}). */
    public String wire() {
        return wire;
    }

    /**
     * @param wire a name such as {@code 1h}
     * @return the range of that name
     * @throws IllegalArgumentException for an unknown name
     */
    public static MetricsRange fromWire(String wire) {
        for (MetricsRange range : values()) {
            if (range.wire.equals(wire)) {
                return range;
            }
        }
        throw new IllegalArgumentException("unknown range '" + wire + "': one of 5m, 10m, 1h, 2h, 6h, 12h, 24h, 7d, 30d");
    }
}
