package io.wrenn.hostagent.net;

import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandFailedException;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.os.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link SandboxNetwork} with iproute2, sysctl and nft. */
public final class NamespaceNetwork implements SandboxNetwork {

    private static final Logger LOG = LoggerFactory.getLogger(NamespaceNetwork.class);
    private static final Path NETNS_DIR = Path.of("/run/netns");

    private static final Pattern DENIED_PACKETS = Pattern.compile("packets (\\d+)");

    private final CommandRunner commands;
    private final HostEgress egress;
    private final DomainGate gate;

    public NamespaceNetwork(CommandRunner commands, HostEgress egress) {
        this(commands, egress, null);
    }

    /** @param gate where domain rules are enforced; null: domain rules are not enforced (tests of the rest) */
    public NamespaceNetwork(CommandRunner commands, HostEgress egress, DomainGate gate) {
        this.commands = commands;
        this.egress = egress;
        this.gate = gate;
    }

    @Override
    public void create(String namespace, NetworkSlot slot, NetworkPolicy policy) {
        commands.run("ip", "netns", "add", namespace);
        boolean ownVeth = false;
        try {
            // Creating the pair with its peer already inside the namespace avoids a moment where
            // two agents' "veth0" could collide on the host.
            CommandResult veth = commands.runUnchecked(Command.of("ip", "link", "add", slot.hostVeth(), "type", "veth",
                    "peer", "name", NetworkSlot.NAMESPACE_VETH, "netns", namespace));
            if (veth.exitCode() != 0) {
                if (hostVethExists(slot.number())) {
                    throw new SlotTakenException(slot);
                }
                throw new CommandFailedException(List.of("ip", "link", "add", slot.hostVeth()), veth.exitCode(), veth.output());
            }
            ownVeth = true;
            // One program per batch, not one per setting: each spawn costs milliseconds, and this
            // is on the path of every create and resume.
            batch(List.of("ip"), List.of(
                    "addr add " + slot.hostAddress() + "/30 dev " + slot.hostVeth(),
                    "link set " + slot.hostVeth() + " up"));
            batch(List.of("ip", "-n", namespace), List.of(
                    "link set lo up",
                    "addr add " + slot.namespaceAddress() + "/30 dev " + NetworkSlot.NAMESPACE_VETH,
                    "link set " + NetworkSlot.NAMESPACE_VETH + " up",
                    "route add default via " + slot.hostAddress(),
                    "tuntap add dev " + NetworkSlot.TAP_NAME + " mode tap",
                    "addr add " + NetworkSlot.TAP_ADDRESS + "/30 dev " + NetworkSlot.TAP_NAME,
                    "link set " + NetworkSlot.TAP_NAME + " up"));
            // The guest gets no IPv6 path either: the ruleset below is written for IPv4 traffic.
            inNamespace(namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.disable_ipv6=1");
            loadRules(namespace, NftRuleset.forSlot(slot, egress.settings(), policy));
            if (gate != null) {
                gate.serve(namespace, policy);
            }
            egress.attach(slot);
        } catch (RuntimeException | java.io.IOException e) {
            // The host end is deleted by name: only when it is ours. A slot another agent took in
            // the meantime has its veth under the same name, and it must keep it.
            delete(namespace, ownVeth ? slot : null);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("could not write the network set-up files", e);
        }
    }

    private void loadRules(String namespace, String ruleset) throws java.io.IOException {
        Path rules = writeTempFile(namespace, ".nft", ruleset);
        try {
            inNamespace(namespace, "nft", "-f", rules.toString());
        } finally {
            Files.deleteIfExists(rules);
        }
    }

    @Override
    public void updatePolicy(String namespace, NetworkSlot slot, NetworkPolicy policy) {
        try {
            loadRules(namespace, NftRuleset.policyUpdate(policy));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not write the policy update", e);
        }
        if (gate != null) {
            gate.serve(namespace, policy);
        }
    }

    @Override
    public long deniedConnections(String namespace) {
        CommandResult result = commands.runUnchecked(Command.of("ip", "netns", "exec", namespace, "nft", "list", "counter",
                "inet", NftRuleset.TABLE, NftRuleset.DENIED_COUNTER));
        Matcher m = DENIED_PACKETS.matcher(result.output());
        long inNamespace = result.exitCode() == 0 && m.find() ? Long.parseLong(m.group(1)) : 0;
        return inNamespace + (gate == null ? 0 : gate.refused(namespace));
    }

    @Override
    public void adopt(String namespace, NetworkSlot slot, NetworkPolicy policy) {
        egress.attach(slot);
        if (gate != null) {
            // The previous agent's gate sockets went with it.
            try {
                gate.serve(namespace, policy);
            } catch (RuntimeException e) {
                LOG.warn("could not open the domain gate of re-adopted namespace {}: {}", namespace, e.toString());
            }
        }
    }

    private static Path writeTempFile(String namespace, String suffix, String content) throws java.io.IOException {
        Path file = Files.createTempFile(namespace + "-", suffix);
        Files.writeString(file, content);
        return file;
    }

    /** Runs {@code lines} as one {@code ip -batch} (which stops at the first failing line). */
    private void batch(List<String> ip, List<String> lines) throws java.io.IOException {
        Path file = writeTempFile("wrenn-ip", ".batch", String.join("\n", lines) + "\n");
        try {
            List<String> argv = new ArrayList<>(ip);
            argv.addAll(List.of("-batch", file.toString()));
            commands.run(Command.of(argv));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void inNamespace(String namespace, String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(Arrays.asList(argv));
        commands.run(Command.of(full));
    }

    @Override
    public void delete(String namespace, NetworkSlot slot) {
        // Deleting the namespace removes the veth pair too, but asynchronously; deleting the host end
        // first makes the slot reusable at once.
        if (slot != null) {
            egress.detach(slot);
        }
        if (gate != null) {
            gate.stop(namespace);
        }
        if (slot != null && hostVethExists(slot.number())) {
            commands.runUnchecked(Command.of("ip", "link", "del", slot.hostVeth()));
        }
        if (Files.exists(NETNS_DIR.resolve(namespace))) {
            CommandResult result = commands.runUnchecked(Command.of("ip", "netns", "del", namespace));
            if (result.exitCode() != 0) {
                LOG.warn("could not delete namespace {}: {}", namespace, result.output().strip());
            }
        }
    }

    @Override
    public List<String> listNamespaces() {
        try (var entries = Files.list(NETNS_DIR)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("wrenn-")).sorted().toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Override
    public boolean hostVethExists(int slotNumber) {
        return Files.exists(Path.of("/sys/class/net", "wrh" + slotNumber));
    }

    @Override
    public List<Long> pidsIn(String namespace) {
        CommandResult result = commands.runUnchecked(Command.of("ip", "netns", "pids", namespace));
        if (result.exitCode() != 0) {
            return List.of();
        }
        return result.output().lines().map(String::strip).filter(l -> l.matches("\\d+")).map(Long::valueOf).toList();
    }

    @Override
    public long ageMillis(String namespace) {
        try {
            FileTime created = Files.getLastModifiedTime(NETNS_DIR.resolve(namespace));
            return System.currentTimeMillis() - created.toMillis();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
