package io.wrenn.hostagent.net;

import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's half of sandbox egress, one per agent: IPv4 forwarding (a shared
 * {@link ForwardingLease}) and this agent's own nftables table {@code wrenn_<hash of its home>}.
 * The table masquerades its sandboxes' traffic out of the uplink, refuses their traffic routed
 * anywhere else (another sandbox, another interface), and refuses every new connection from any
 * sandbox veth ({@code wrh*}) to the host itself, whatever address it aims at: the host's
 * services are never reachable from a guest. Its sandboxes are the set {@code sandboxes} of host
 * veth names, so several agents on one machine (each with its own uplink) never act on each
 * other's traffic.
 */
public final class HostEgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostEgress.class);

    private final CommandRunner commands;
    private final EgressSettings settings;
    private final ForwardingLease forwarding;
    private final String table;
    private final Path owners;

    public HostEgress(CommandRunner commands, EgressSettings settings, ForwardingLease forwarding, Path home) {
        this(commands, settings, forwarding, home, Path.of("/run/wrenn/egress"));
    }

    /** @param owners one file per agent table, named after it, holding the owning agent's pid */
    HostEgress(CommandRunner commands, EgressSettings settings, ForwardingLease forwarding, Path home, Path owners) {
        this.commands = commands;
        this.settings = settings;
        this.forwarding = forwarding;
        this.table = tableName(home);
        this.owners = owners;
    }

    /** {@code wrenn_} and 12 hex digits of the home's SHA-256: the same table again after a restart. */
    static String tableName(Path home) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(home.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return "wrenn_" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public EgressSettings settings() {
        return settings;
    }

    public String table() {
        return table;
    }

    /**
     * Takes the forwarding lease, removes the tables of agents that died (their homes may be gone
     * for good, and their set could name a veth another agent's sandbox gets later), and
     * (re)creates this agent's table, empty of sandboxes.
     */
    public void start() {
        forwarding.acquire();
        removeTablesOfDeadAgents();
        recordOwner();
        commands.runUnchecked(Command.of("nft", "delete", "table", "inet", table));
        String uplink = settings.uplink();
        nft("""
                table inet %1$s {
                  set sandboxes {
                    type ifname
                  }
                  chain forward {
                    type filter hook forward priority filter; policy accept;
                    iifname @sandboxes oifname != "%2$s" reject with icmpx admin-prohibited
                  }
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    iifname @sandboxes oifname "%2$s" masquerade
                  }
                  chain input {
                    type filter hook input priority filter; policy accept;
                    iifname "wrh*" ct state established,related accept
                    iifname "wrh*" ct state invalid drop
                    iifname "wrh*" meta l4proto tcp reject with tcp reset
                    iifname "wrh*" reject with icmpx admin-prohibited
                  }
                }
                """.formatted(table, uplink));
        LOG.info("sandbox egress out of {} (resolver {}), nft table {}", uplink,
                settings.resolver() == null ? "none" : settings.resolver(), table);
    }

    /** Lets the sandbox behind this slot's veth out. */
    public void attach(NetworkSlot slot) {
        commands.run("nft", "add", "element", "inet", table, "sandboxes", "{ " + slot.hostVeth() + " }");
    }

    /** Forgets the slot's veth (it is gone, or going). Missing is not an error. */
    public void detach(NetworkSlot slot) {
        commands.runUnchecked(Command.of("nft", "delete", "element", "inet", table, "sandboxes", "{ " + slot.hostVeth() + " }"));
    }

    /** Removes the table and gives the forwarding lease back. */
    @Override
    public void close() {
        commands.runUnchecked(Command.of("nft", "delete", "table", "inet", table));
        try {
            Files.deleteIfExists(owners.resolve(table));
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", owners.resolve(table), e.toString());
        }
        forwarding.close();
    }

    private void recordOwner() {
        try {
            Files.createDirectories(owners);
            Files.writeString(owners.resolve(table), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not record the owner of " + table, e);
        }
    }

    private void removeTablesOfDeadAgents() {
        if (!Files.isDirectory(owners)) {
            return;
        }
        try (var files = Files.list(owners)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                String pid = Files.readString(file).strip();
                boolean alive = pid.matches("\\d{1,10}") && ProcessHandle.of(Long.parseLong(pid)).isPresent();
                if (!alive && name.matches("wrenn_[0-9a-f]{12}") && !name.equals(table)) {
                    LOG.info("removing egress table {} of an agent that is gone (pid {})", name, pid);
                    commands.runUnchecked(Command.of("nft", "delete", "table", "inet", name));
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for the egress tables of dead agents: {}", e.toString());
        }
    }

    private void nft(String ruleset) {
        try {
            Path file = Files.createTempFile("wrenn-egress-", ".nft");
            try {
                Files.writeString(file, ruleset);
                commands.run("nft", "-f", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the egress ruleset", e);
        }
    }
}
