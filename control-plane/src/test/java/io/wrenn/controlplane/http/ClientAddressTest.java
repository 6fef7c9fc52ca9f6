package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    @Test
    void byDefaultTheHeaderIsIgnored() {
        ClientAddress addresses = new ClientAddress(List.of());
        assertThat(addresses.resolve("192.0.2.1", "198.51.100.7")).isEqualTo("192.0.2.1");
        assertThat(addresses.resolve("192.0.2.1", null)).isEqualTo("192.0.2.1");
    }

    @Test
    void behindTrustedProxiesTheFirstUntrustedHopFromTheRightIsTheClient() {
        ClientAddress addresses = new ClientAddress(List.of("10.0.0.0/8", "192.0.2.1"));
        assertThat(addresses.resolve("192.0.2.1", "198.51.100.7")).isEqualTo("198.51.100.7");
        // The client may put anything on the left; only what trusted hops appended counts.
        assertThat(addresses.resolve("192.0.2.1", "1.2.3.4, 198.51.100.7, 10.1.2.3")).isEqualTo("198.51.100.7");
        assertThat(addresses.resolve("10.9.9.9", "10.1.1.1")).as("all trusted: the leftmost").isEqualTo("10.1.1.1");
        assertThat(addresses.resolve("203.0.113.5", "198.51.100.7")).as("untrusted peer").isEqualTo("203.0.113.5");
        assertThat(addresses.resolve("192.0.2.1", "not-an-address, 10.0.0.1")).as("garbage stops the walk").isEqualTo("10.0.0.1");
        assertThat(addresses.resolve("192.0.2.1", "")).isEqualTo("192.0.2.1");
    }

    @Test
    void ipv6AndBadRanges() {
        ClientAddress addresses = new ClientAddress(List.of("::1", "fd00::/8"));
        assertThat(addresses.resolve("0:0:0:0:0:0:0:1", "2001:db8::5")).isEqualTo("2001:db8:0:0:0:0:0:5");
        assertThat(addresses.resolve("fd12::1", "198.51.100.7")).isEqualTo("198.51.100.7");
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientAddress(List.of("example.com"))).isInstanceOf(IllegalArgumentException.class);
    }
}
