package io.wrenn.hostagent.sandbox;

import java.util.StringJoiner;

/**
 * Milliseconds spent in each named step of one create, restore or resume, for its log line: the
 * fast paths are measured against a floor, and this says where the difference goes.
 */
final class StepTimes {

    private final long start = System.nanoTime();
    private final StringJoiner steps = new StringJoiner(", ");
    private long last = start;

    /** Ends the step running since the previous call (or since construction). */
    void step(String name) {
        long now = System.nanoTime();
        steps.add(name + " " + (now - last) / 1_000_000);
        last = now;
    }

    /** Milliseconds since construction, at least 1 (0 means "not measured" in a record). */
    long totalMs() {
        return Math.max(1, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public String toString() {
        return steps.toString();
    }
}
