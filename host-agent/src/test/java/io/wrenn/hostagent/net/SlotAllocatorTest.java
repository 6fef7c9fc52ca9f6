package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A freed slot's address must not reach a new sandbox while connections to its last one may linger. */
class SlotAllocatorTest {

    private final AtomicLong now = new AtomicLong();
    private final Set<Integer> onHost = new HashSet<>();

    private SlotAllocator startingAt(int first) {
        return new SlotAllocator(onHost::contains, now::get, first);
    }

    @Test
    void walksOnFromTheLastSlotGivenAndSkipsSlotsTakenOnTheHost() {
        onHost.add(11);
        SlotAllocator allocator = startingAt(10);

        assertThat(allocator.allocate().number()).isEqualTo(10);
        assertThat(allocator.allocate().number()).isEqualTo(12);
        assertThat(allocator.allocate().number()).isEqualTo(13);
    }

    @Test
    void aFreedSlotIsNotTheNextOneGivenAndTheWalkWrapsAround() {
        SlotAllocator allocator = startingAt(NetworkSlot.MAX);
        NetworkSlot last = allocator.allocate();
        allocator.release(last);

        assertThat(last.number()).isEqualTo(NetworkSlot.MAX);
        assertThat(allocator.isHeld(NetworkSlot.MAX)).isFalse();
        assertThat(allocator.allocate().number()).isEqualTo(NetworkSlot.MIN);
        assertThat(allocator.allocate().number()).isEqualTo(NetworkSlot.MIN + 1);
    }

    @Test
    void aRestingSlotIsTakenOnlyWhenNoOtherIsFree() {
        SlotAllocator allocator = startingAt(5);
        NetworkSlot five = allocator.allocate();
        allocator.release(five);
        // Everything else is taken on the host: the only candidate is the resting slot.
        for (int n = NetworkSlot.MIN; n <= NetworkSlot.MAX; n++) {
            if (n != 5) {
                onHost.add(n);
            }
        }
        // Rather than refuse a create, the slot freed longest ago is taken.
        assertThat(allocator.allocate().number()).isEqualTo(5);
        assertThatThrownBy(allocator::allocate).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRestingSlotIsGivenOnceItsQuarantineIsOver() {
        SlotAllocator allocator = startingAt(7);
        NetworkSlot seven = allocator.allocate();
        allocator.release(seven);
        for (int n = NetworkSlot.MIN; n <= NetworkSlot.MAX; n++) {
            if (n != 7 && n != 8) {
                onHost.add(n);
            }
        }
        assertThat(allocator.allocate().number()).isEqualTo(8);
        now.addAndGet(SlotAllocator.QUARANTINE.toNanos());
        assertThat(allocator.allocate().number()).isEqualTo(7);
    }

    @Test
    void aClaimedSlotIsHeldAndNeverGiven() {
        SlotAllocator allocator = startingAt(20);
        allocator.claim(new NetworkSlot(20));

        assertThat(allocator.isHeld(20)).isTrue();
        assertThat(allocator.allocate().number()).isEqualTo(21);
    }
}
