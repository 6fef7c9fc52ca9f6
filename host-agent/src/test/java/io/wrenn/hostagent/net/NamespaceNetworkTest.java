package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.os.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real namespaces and veths (needs root): two agents on one host must not undo each other's network. */
@Tag("root")
class NamespaceNetworkTest {
    /** A slot far above what tests and `wrenn up` use, so nothing else holds it. */
    private static final NetworkSlot SLOT = new NetworkSlot(16_001);
    private static final String OURS = "wrenn-test-ours";

    private final ProcessCommandRunner commands = new ProcessCommandRunner();
    private final NamespaceNetwork network = new NamespaceNetwork(commands);

    @AfterEach
    void cleanUp() {
        commands.runUnchecked(io.wrenn.hostagent.os.Command.of("ip", "link", "del", SLOT.hostVeth()));
        commands.runUnchecked(io.wrenn.hostagent.os.Command.of("ip", "netns", "del", OURS));
    }

    @Test
    void aSlotAnotherAgentJustTookIsReportedAndItsVethIsLeftAlone() {
        // "Another agent" holds the slot: its host end exists under the slot's name.
        commands.run("ip", "link", "add", SLOT.hostVeth(), "type", "veth", "peer", "name", "wrtest16001p");

        assertThatThrownBy(() -> network.create(OURS, SLOT)).isInstanceOf(SandboxNetwork.SlotTakenException.class);

        assertThat(Files.exists(Path.of("/sys/class/net", SLOT.hostVeth()))).as("the other agent's veth").isTrue();
        assertThat(Files.exists(Path.of("/run/netns", OURS))).as("our half-made namespace").isFalse();
    }

    @Test
    void aCreatedNamespaceHasItsAddressesTapForwardingAndFirewall() {
        network.create(OURS, SLOT);

        assertThat(commands.run("ip", "-o", "addr", "show", "dev", SLOT.hostVeth()).output())
                .contains(SLOT.hostAddress() + "/30");
        assertThat(commands.run("ip", "-o", "link", "show", "dev", SLOT.hostVeth()).output()).contains(",UP");
        assertThat(commands.run("ip", "-n", OURS, "-o", "addr", "show", "dev", NetworkSlot.NAMESPACE_VETH).output())
                .contains(SLOT.namespaceAddress() + "/30");
        assertThat(commands.run("ip", "-n", OURS, "-o", "link", "show", "dev", NetworkSlot.TAP_NAME).output())
                .contains(",UP");
        assertThat(commands.run("ip", "-n", OURS, "-o", "link", "show", "dev", "lo").output()).contains(",UP");
        assertThat(commands.run("ip", "-n", OURS, "-o", "addr", "show", "dev", NetworkSlot.TAP_NAME).output())
                .contains(NetworkSlot.TAP_ADDRESS + "/30");
        assertThat(commands.run("ip", "netns", "exec", OURS, "sysctl", "-n", "net.ipv4.ip_forward",
                "net.ipv6.conf.all.disable_ipv6").output().lines().toList()).containsExactly("1", "1");
        assertThat(commands.run("ip", "netns", "exec", OURS, "nft", "list", "ruleset").output()).contains("table");

        network.delete(OURS, SLOT);
        assertThat(Files.exists(Path.of("/sys/class/net", SLOT.hostVeth()))).isFalse();
        assertThat(network.listNamespaces()).doesNotContain(OURS);
    }
}
