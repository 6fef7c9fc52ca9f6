package io.wrenn.hostagent.metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The samples of the last minutes, numbered by one sequence per agent run ({@link #epoch()}), for
 * the control plane to drain. Bounded: past {@code capacity} the oldest go, so a control plane
 * that does not read costs the agent nothing more. Samples of sandboxes that were paused or
 * destroyed since stay until they age out, so their last periods still reach the database.
 */
public final class SampleLog {

    /** What one read returns. */
    public record Batch(String epoch, List<Sample> samples, boolean more) {
    }

    private final String epoch = UUID.randomUUID().toString();
    private final int capacity;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long lastSequence;

    public SampleLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    public String epoch() {
        return epoch;
    }

    synchronized void append(Sample sample) {
        samples.addLast(sample.withSequence(++lastSequence));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    /**
     * Up to {@code limit} samples after {@code afterSequence}, oldest first; everything kept when
     * {@code readerEpoch} is not this run's (a reader that last saw an earlier agent).
     */
    public synchronized Batch read(String readerEpoch, long afterSequence, int limit) {
        long after = epoch.equals(readerEpoch) ? afterSequence : 0;
        List<Sample> out = new ArrayList<>(Math.min(limit, samples.size()));
        boolean more = false;
        for (Sample sample : samples) {
            if (sample.sequence() <= after) {
                continue;
            }
            if (out.size() == limit) {
                more = true;
                break;
            }
            out.add(sample);
        }
        return new Batch(epoch, out, more);
    }
}
