package io.wrenn.hostagent.net;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;

/**
 * Hands out network slots in rotation, never the one just freed. A slot's address is its next
 * occupant's too, and whatever still holds a connection to the previous occupant (a client's
 * keep-alive pool, a half-closed stream, conntrack) would otherwise reach the new sandbox: so the
 * allocator walks on from the slot it gave last (starting at a random slot, so that several agents
 * on one machine do not walk the same slots), and a freed slot rests for {@link #QUARANTINE}
 * before it is given again (only when every other slot is held would a resting one be taken, the
 * one freed longest ago).
 *
 * <p>A slot is taken when this agent holds it or when the host already has its veth (another agent
 * on the same machine, or one not yet cleaned up): slots are unique per host, not per agent.
 */
public final class SlotAllocator {

    /** Longer than TCP's TIME_WAIT and any keep-alive the host's clients keep (the JDK's: 30 s). */
    public static final Duration QUARANTINE = Duration.ofSeconds(90);

    private final Set<Integer> held = new HashSet<>();
    /** Freed slots by the time they were freed (System.nanoTime), oldest first. */
    private final Map<Integer, Long> resting = new LinkedHashMap<>();
    private final IntPredicate inUseOnHost;
    private final LongSupplier nanoTime;
    private int next;

    /** @param inUseOnHost tells whether the host already has the slot's veth */
    public SlotAllocator(IntPredicate inUseOnHost) {
        this(inUseOnHost, System::nanoTime, ThreadLocalRandom.current().nextInt(NetworkSlot.MIN, NetworkSlot.MAX + 1));
    }

    /** For tests: a clock of their own and the slot to start the walk at. */
    SlotAllocator(IntPredicate inUseOnHost, LongSupplier nanoTime, int first) {
        this.inUseOnHost = inUseOnHost;
        this.nanoTime = nanoTime;
        this.next = first;
    }

    /** Takes the next free slot that is not resting; a resting one only when there is no other. */
    public synchronized NetworkSlot allocate() {
        forgetRested();
        int count = NetworkSlot.MAX - NetworkSlot.MIN + 1;
        for (int i = 0; i < count; i++) {
            int n = NetworkSlot.MIN + Math.floorMod(next - NetworkSlot.MIN + i, count);
            if (!held.contains(n) && !resting.containsKey(n) && !inUseOnHost.test(n)) {
                next = n == NetworkSlot.MAX ? NetworkSlot.MIN : n + 1;
                return take(n);
            }
        }
        for (int n : resting.keySet()) {
            if (!inUseOnHost.test(n)) {
                return take(n);
            }
        }
        throw new IllegalStateException("no free network slot");
    }

    private NetworkSlot take(int n) {
        resting.remove(n);
        held.add(n);
        return new NetworkSlot(n);
    }

    private void forgetRested() {
        long now = nanoTime.getAsLong();
        resting.values().removeIf(freedAt -> now - freedAt >= QUARANTINE.toNanos());
    }

    /** Marks a slot as held (re-adopting a sandbox after a restart). */
    public synchronized void claim(NetworkSlot slot) {
        resting.remove(slot.number());
        held.add(slot.number());
    }

    /** Gives a slot back; it rests before it is handed out again. */
    public synchronized void release(NetworkSlot slot) {
        if (held.remove(slot.number())) {
            resting.remove(slot.number());
            resting.put(slot.number(), nanoTime.getAsLong());
        }
    }

    public synchronized boolean isHeld(int number) {
        return held.contains(number);
    }
}
