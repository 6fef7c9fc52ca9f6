package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkSlotTest {

    @Test
    void addressesFollowTheSlotPlan() {
        NetworkSlot first = new NetworkSlot(1);
        assertThat(first.hostAddress()).isEqualTo("10.231.0.5");
        assertThat(first.namespaceAddress()).isEqualTo("10.231.0.6");
        assertThat(first.hostVeth()).isEqualTo("wrh1");

        NetworkSlot later = new NetworkSlot(64 * 3 + 10);
        assertThat(later.hostAddress()).isEqualTo("10.231.3.41");
        assertThat(later.namespaceAddress()).isEqualTo("10.231.3.42");

        NetworkSlot last = new NetworkSlot(NetworkSlot.MAX);
        assertThat(last.hostAddress()).isEqualTo("10.231.255.253");
        assertThat(last.namespaceAddress()).isEqualTo("10.231.255.254");
    }

    @Test
    void everySlotHasItsOwnSubnet() {
        Set<String> seen = new HashSet<>();
        for (int n = NetworkSlot.MIN; n <= NetworkSlot.MAX; n++) {
            assertThat(seen.add(new NetworkSlot(n).hostAddress())).isTrue();
        }
        assertThatThrownBy(() -> new NetworkSlot(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkSlot(NetworkSlot.MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namespaceNameUsesTheFirstTwelveHexDigits() {
        assertThat(SandboxNetwork.namespaceName("0b6e7c1a-2f7d-4c55-9d0e-5c2a7b8e9f10")).isEqualTo("wrenn-0b6e7c1a2f7d");
    }
}
