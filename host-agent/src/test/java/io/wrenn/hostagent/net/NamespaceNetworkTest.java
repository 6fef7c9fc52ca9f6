package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.hostagent.os.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real namespaces and veths (needs root): two agents on one host must not undo each other's network. */
@Tag("root")
class NamespaceNetworkTest {
    /** A slot far above what tests and `wrenn up` use, so nothing else holds it. */
    private static final NetworkSlot SLOT = new NetworkSlot(16_001);
    private static final String OURS = "wrenn-test-ours";

    private final ProcessCommandRunner commands = new ProcessCommandRunner();
    @TempDir
    Path home;
    private HostEgress egress;
    private NamespaceNetwork network;

    @BeforeEach
    void startEgress() {
        egress = new HostEgress(commands, new EgressSettings("lo", "10.255.255.53", List.of(), List.of("127.0.0.1")),
                ForwardingLease.forThisMachine(), home);
        egress.start();
        network = new NamespaceNetwork(commands, egress);
    }

    @AfterEach
    void cleanUp() {
        commands.runUnchecked(io.wrenn.hostagent.os.Command.of("ip", "link", "del", SLOT.hostVeth()));
        commands.runUnchecked(io.wrenn.hostagent.os.Command.of("ip", "netns", "del", OURS));
        egress.close();
    }

    @Test
    void aSlotAnotherAgentJustTookIsReportedAndItsVethIsLeftAlone() {
        // "Another agent" holds the slot: its host end exists under the slot's name.
        commands.run("ip", "link", "add", SLOT.hostVeth(), "type", "veth", "peer", "name", "wrtest16001p");

        assertThatThrownBy(() -> network.create(OURS, SLOT, NetworkPolicy.OPEN)).isInstanceOf(SandboxNetwork.SlotTakenException.class);

        assertThat(Files.exists(Path.of("/sys/class/net", SLOT.hostVeth()))).as("the other agent's veth").isTrue();
        assertThat(Files.exists(Path.of("/run/netns", OURS))).as("our half-made namespace").isFalse();
    }

    @Test
    void aCreatedNamespaceHasItsAddressesTapForwardingAndFirewall() {
        network.create(OURS, SLOT, NetworkPolicy.OPEN);

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
        assertThat(commands.run("ip", "netns", "exec", OURS, "nft", "list", "ruleset").output()).contains("table inet wrenn");
        assertThat(hostSet()).as("the host lets it out").contains(SLOT.hostVeth());

        network.delete(OURS, SLOT);
        assertThat(hostSet()).doesNotContain(SLOT.hostVeth());
        assertThat(Files.exists(Path.of("/sys/class/net", SLOT.hostVeth()))).isFalse();
        assertThat(network.listNamespaces()).doesNotContain(OURS);
    }

    @Test
    void aPolicyIsLoadedAtCreateAndReplacedLiveOverlapsAndAll() {
        network.create(OURS, SLOT, new NetworkPolicy(false, List.of("1.1.1.1", "1.1.0.0/16"), List.of("8.8.8.8")));
        assertThat(policyChain()).contains("ip daddr 1.1.0.0/16 accept").contains("ip daddr 8.8.8.8 goto refuse")
                .doesNotContain("1.1.1.1");

        network.updatePolicy(OURS, SLOT, new NetworkPolicy(true, List.of(), List.of("9.9.9.0/24", "9.0.0.0/8")));
        assertThat(policyChain()).contains("ip daddr 9.0.0.0/8 goto refuse").doesNotContain("1.1.0.0").doesNotContain("8.8.8.8");
        assertThat(network.deniedConnections(OURS)).isZero();
    }

    @Test
    void stoppingTheLastAgentRemovesItsTableAndRestoresForwarding() throws Exception {
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip()).isEqualTo("1");
        assertThat(commands.run("nft", "list", "tables").output()).contains(egress.table());

        egress.close();

        assertThat(commands.run("nft", "list", "tables").output()).doesNotContain(egress.table());
        egress.start(); // for cleanUp
    }

    private String hostSet() {
        return commands.run("nft", "list", "set", "inet", egress.table(), "sandboxes").output();
    }

    private String policyChain() {
        return commands.run("ip", "netns", "exec", OURS, "nft", "list", "chain", "inet", "wrenn", "egress_policy").output();
    }

    @Test
    void theTableOfAnAgentThatDiedIsRemovedWhenAnotherStarts() throws Exception {
        Path owners = home.resolve("owners");
        Files.createDirectories(owners);
        String stale = "wrenn_00000000dead";
        commands.run("nft", "add", "table", "inet", stale);
        Files.writeString(owners.resolve(stale), "999999999");
        HostEgress next = new HostEgress(commands, egress.settings(), ForwardingLease.forThisMachine(),
                home.resolve("next"), owners);
        try {
            next.start();
            assertThat(commands.run("nft", "list", "tables").output()).doesNotContain(stale).contains(next.table());
            assertThat(owners.resolve(stale)).doesNotExist();
        } finally {
            commands.runUnchecked(io.wrenn.hostagent.os.Command.of("nft", "delete", "table", "inet", stale));
            next.close();
        }
        assertThat(owners.resolve(next.table())).doesNotExist();
    }
}
