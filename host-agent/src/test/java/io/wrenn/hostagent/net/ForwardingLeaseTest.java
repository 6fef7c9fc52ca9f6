package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarding switch shared by agents, on a stand-in file for the sysctl. */
class ForwardingLeaseTest {

    @TempDir
    Path dir;

    @Test
    void theLastLeaseGivenBackRestoresTheValueFoundByTheFirst() throws Exception {
        Path sysctl = Files.writeString(dir.resolve("ip_forward"), "0\n");
        ForwardingLease first = new ForwardingLease(dir.resolve("state"), sysctl);
        ForwardingLease second = new ForwardingLease(dir.resolve("state"), sysctl);

        first.acquire();
        second.acquire();
        assertThat(Files.readString(sysctl)).isEqualTo("1");
        first.close();
        assertThat(Files.readString(sysctl)).as("another agent still holds it").isEqualTo("1");
        second.close();
        assertThat(Files.readString(sysctl)).isEqualTo("0");
    }

    @Test
    void aLeaseOfADeadProcessIsDroppedAndForwardingAlreadyOnStaysOn() throws Exception {
        Path sysctl = Files.writeString(dir.resolve("ip_forward"), "1\n");
        Path state = dir.resolve("state");
        Files.createDirectories(state.resolve("holders"));
        Files.createFile(state.resolve("holders").resolve("999999999-dead"));
        ForwardingLease lease = new ForwardingLease(state, sysctl);

        lease.acquire();
        lease.close();

        assertThat(Files.readString(sysctl)).isEqualTo("1");
        try (var holders = Files.list(state.resolve("holders"))) {
            assertThat(holders).isEmpty();
        }
    }

    @Test
    void afterAnAgentKilledWhileHoldingItTheValueFromBeforeIsStillRestored() throws Exception {
        Path sysctl = Files.writeString(dir.resolve("ip_forward"), "0\n");
        Path state = dir.resolve("state");
        new ForwardingLease(state, sysctl).acquire(); // this agent "dies": its lease is never given back
        try (var holders = Files.list(state.resolve("holders"))) {
            Path only = holders.findFirst().orElseThrow();
            Files.move(only, only.resolveSibling("999999999-dead"));
        }
        ForwardingLease next = new ForwardingLease(state, sysctl);

        next.acquire();
        next.close();

        assertThat(Files.readString(sysctl)).isEqualTo("0");
    }
}
