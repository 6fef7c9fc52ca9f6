package io.wrenn.testkit;

import io.wrenn.hostagent.net.EgressSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import io.wrenn.cli.AllInOne;
import io.wrenn.controlplane.ids.WireId;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.NetworkSlot;
import io.wrenn.hostagent.net.SandboxNetwork;

/**
 * A whole Wrenn in the test JVM: a real PostgreSQL, a real host agent booting real QEMU VMs and
 * the control plane, wired exactly as `wrenn up` wires them, in a throw-away home that shares the
 * machine's guest image cache. {@link #close()} leaves no VM, namespace, process or file behind.
 */
public final class WrennFixture implements AutoCloseable {
    private final Path home;
    private final AllInOne wrenn;

    private WrennFixture(Path home, AllInOne wrenn) {
        this.home = home;
        this.wrenn = wrenn;
    }

    /** Starts Wrenn with its API on every interface, so only the sandbox firewall guards it. */
    public static WrennFixture start() {
        return start(null);
    }

    /**
     * As {@link #start()}, with sandbox egress as given (null: from the environment, i.e. out of
     * the default route's interface): policy tests route it into a namespace of their own.
     */
    public static WrennFixture start(EgressSettings egress) {
        return start(egress, null);
    }

    /** As {@link #start(EgressSettings)}, with {@code {port}-{sandboxId}.<sandboxDomain>} host names routed to sandboxes. */
    public static WrennFixture start(EgressSettings egress, String sandboxDomain) {
        Layout shared = Layout.fromEnvironment();
        if (!Files.isRegularFile(shared.kernelImage())) {
            throw new IllegalStateException("no guest images in " + shared.imagesDir()
                    + ": run the tests with ./wrenn test, which builds them");
        }
        Path home;
        try {
            home = Files.createTempDirectory("wrenn-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AllInOne wrenn = AllInOne.start(new AllInOne.Settings(
                Layout.of(home, shared.imagesDir()), "0.0.0.0", 0, Duration.ofSeconds(1), null, egress, sandboxDomain));
        return new WrennFixture(home, wrenn);
    }

    public WrennClient client() {
        return new WrennClient(URI.create("http://127.0.0.1:" + wrenn.apiPort()), wrenn.apiKey());
    }

    public int apiPort() {
        return wrenn.apiPort();
    }

    public AllInOne wrenn() {
        return wrenn;
    }

    /** A second team, with an API key of its own. */
    public String createTeamWithKey(String name) {
        return wrenn.controlPlane().createTeamApiKey(name);
    }

    /** VMs this fixture's host agent has, live or being cleaned up. */
    public int runningVmCount() {
        return wrenn.agent().sandboxes().list().size();
    }

    /** What the host holds for a sandbox, captured now so it can be checked after the sandbox is gone. */
    public HostView hostView(String wireId) {
        String id = uuid(wireId);
        var sandbox = wrenn.agent().sandboxes().running(id);
        return new HostView(sandbox.pid(), SandboxNetwork.namespaceName(id), wrenn.layout().sandboxOverlay(id));
    }

    /** Addresses of this host as a guest could try to reach them: its gateway, the host's veth end, every host interface. */
    public List<String> hostAddressesSeenFrom(String wireId) {
        NetworkSlot slot = wrenn.agent().sandboxes().running(uuid(wireId)).slot();
        List<String> addresses = new ArrayList<>(List.of(NetworkSlot.TAP_ADDRESS, slot.hostAddress()));
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isUp() && !nic.isLoopback() && !nic.getName().startsWith("wrh")) {
                    nic.inetAddresses().filter(a -> a instanceof Inet4Address)
                            .forEach(a -> addresses.add(a.getHostAddress()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return addresses;
    }

    /** The address at which the host reaches a sandbox's guest (its namespace end). */
    public String guestAddressFromHost(String wireId) {
        return wrenn.agent().sandboxes().running(uuid(wireId)).slot().namespaceAddress();
    }

    /** The host-side traces of a sandbox of any Wrenn home, read from its files (for a Wrenn in another process). */
    public static HostView hostView(Layout layout, String wireId) {
        String id = uuid(wireId);
        try {
            long pid = Long.parseLong(Files.readString(layout.sandboxPidFile(id)).strip());
            return new HostView(pid, SandboxNetwork.namespaceName(id), layout.sandboxOverlay(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String uuid(String wireId) {
        UUID id = WireId.SANDBOX.decode(wireId).orElseThrow(() -> new IllegalArgumentException(wireId));
        return id.toString();
    }

    /** The host-side traces of one sandbox: its QEMU process, its namespace, its disk. */
    public record HostView(long qemuPid, String namespace, Path overlay) {
        /** Alive and not a zombie: an exited QEMU whose parent has not reaped it yet counts as gone. */
        public boolean qemuAlive() {
            try {
                // /proc reports size 0 for every file; a zombie's command line reads empty.
                return Files.readAllBytes(Path.of("/proc", Long.toString(qemuPid), "cmdline")).length > 0;
            } catch (java.io.IOException gone) {
                return false;
            }
        }

        public boolean namespaceExists() {
            return Files.exists(Path.of("/run/netns", namespace));
        }

        public void killQemu() {
            ProcessHandle.of(qemuPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Override
    public void close() {
        try {
            wrenn.close();
        } finally {
            try (var paths = Files.walk(home)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
