package io.wrenn.hostagent.net;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Hands out network slots, lowest free first. A slot is taken when this agent holds it or when
 * the host already has its veth (another agent on the same machine, or one not yet cleaned up):
 * slots are unique per host, not per agent.
 */
public final class SlotAllocator {

    private final Set<Integer> held = new HashSet<>();
    private final IntPredicate inUseOnHost;

    /** @param inUseOnHost tells whether the host already has the slot's veth */
    public SlotAllocator(IntPredicate inUseOnHost) {
        this.inUseOnHost = inUseOnHost;
    }

    /** Takes the lowest free slot. */
    public synchronized NetworkSlot allocate() {
        for (int n = NetworkSlot.MIN; n <= NetworkSlot.MAX; n++) {
            if (!held.contains(n) && !inUseOnHost.test(n)) {
                held.add(n);
                return new NetworkSlot(n);
            }
        }
        throw new IllegalStateException("no free network slot");
    }

    /** Marks a slot as held (re-adopting a sandbox after a restart). */
    public synchronized void claim(NetworkSlot slot) {
        held.add(slot.number());
    }

    public synchronized void release(NetworkSlot slot) {
        held.remove(slot.number());
    }

    public synchronized boolean isHeld(int number) {
        return held.contains(number);
    }
}
