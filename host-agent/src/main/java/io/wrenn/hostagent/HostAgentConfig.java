package io.wrenn.hostagent;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.net.EgressSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run a host agent.
 *
 * @param layout        where its files are
 * @param bindHost      address the gRPC server listens on ("127.0.0.1" for the all-in-one)
 * @param port          TCP port; 0 picks a free one (see {@link HostAgentServer#port()})
 * @param sharedSecret  the bearer token every call must carry
 * @param accelerator   {@code AUTO} probes once by booting a guest; {@code KVM}/{@code TCG} force it
 * @param onShutdown    what {@link HostAgentServer#close()} does with running VMs
 * @param bootDeadline  how long a cold boot may stay silent before the watchdog kills and retries it
 * @param bootAttempts  how many cold boots to try per create
 * @param egress        how sandboxes reach the internet (uplink, resolver, private ranges allowed)
 * @param warmStarts    creates of platform images restore from a warm snapshot of the image, primed
 *                      once per machine in the background ({@value #WARM_STARTS}; default on)
 */
public record HostAgentConfig(
        Layout layout,
        String bindHost,
        int port,
        String sharedSecret,
        AcceleratorChoice accelerator,
        ShutdownPolicy onShutdown,
        Duration bootDeadline,
        int bootAttempts,
        EgressSettings egress,
        boolean warmStarts) {

    /** Set to 0 (or false, no, off): every create of a platform image boots it cold. */
    public static final String WARM_STARTS = "WRENN_WARM_STARTS";

    /** Which accelerator to use. */
    public enum AcceleratorChoice { AUTO, KVM, TCG }

    /** What happens to running VMs when the agent closes. */
    public enum ShutdownPolicy {
        /** Destroy every VM: nothing is left behind (`wrenn up`, tests). */
        DESTROY_VMS,
        /** Leave VMs running; the next agent on the same home re-adopts them. */
        LEAVE_RUNNING
    }

    public HostAgentConfig {
        Objects.requireNonNull(layout, "layout is null");
        Objects.requireNonNull(bindHost, "bindHost is null");
        Objects.requireNonNull(sharedSecret, "sharedSecret is null");
        Objects.requireNonNull(accelerator, "accelerator is null");
        Objects.requireNonNull(onShutdown, "onShutdown is null");
        Objects.requireNonNull(bootDeadline, "bootDeadline is null");
        Objects.requireNonNull(egress, "egress is null");
        if (sharedSecret.isEmpty()) {
            throw new IllegalArgumentException("sharedSecret is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        if (bootAttempts < 1) {
            throw new IllegalArgumentException("bootAttempts must be at least 1");
        }
    }

    /**
     * Defaults: 127.0.0.1, a random port, accelerator probed, VMs destroyed on close, 25 s boot
     * deadline, 3 boot attempts, egress out of the default route's interface with the system's
     * resolver and no private range allowed, warm starts as {@value #WARM_STARTS} says (on unless 0).
     */
    public static HostAgentConfig defaults(Layout layout, String sharedSecret) {
        return new HostAgentConfig(layout, "127.0.0.1", 0, sharedSecret, AcceleratorChoice.AUTO,
                ShutdownPolicy.DESTROY_VMS, Duration.ofSeconds(25), 3, EgressSettings.forThisHost(null, null, List.of()),
                warmStartsFromEnvironment(System.getenv()));
    }

    /** {@value #WARM_STARTS} in {@code environment}: on unless it is 0, false, no or off. */
    public static boolean warmStartsFromEnvironment(java.util.Map<String, String> environment) {
        String value = environment.getOrDefault(WARM_STARTS, "").strip().toLowerCase(java.util.Locale.ROOT);
        return !(value.equals("0") || value.equals("false") || value.equals("no") || value.equals("off"));
    }

    public HostAgentConfig withWarmStarts(boolean value) {
        return new HostAgentConfig(layout, bindHost, port, sharedSecret, accelerator, onShutdown, bootDeadline, bootAttempts, egress, value);
    }

    public HostAgentConfig withEgress(EgressSettings value) {
        return new HostAgentConfig(layout, bindHost, port, sharedSecret, accelerator, onShutdown, bootDeadline, bootAttempts, value, warmStarts);
    }

    public HostAgentConfig withBind(String host, int newPort) {
        return new HostAgentConfig(layout, host, newPort, sharedSecret, accelerator, onShutdown, bootDeadline, bootAttempts, egress, warmStarts);
    }

    public HostAgentConfig withAccelerator(AcceleratorChoice choice) {
        return new HostAgentConfig(layout, bindHost, port, sharedSecret, choice, onShutdown, bootDeadline, bootAttempts, egress, warmStarts);
    }

    public HostAgentConfig withShutdownPolicy(ShutdownPolicy policy) {
        return new HostAgentConfig(layout, bindHost, port, sharedSecret, accelerator, policy, bootDeadline, bootAttempts, egress, warmStarts);
    }

    public HostAgentConfig withBoot(Duration deadline, int attempts) {
        return new HostAgentConfig(layout, bindHost, port, sharedSecret, accelerator, onShutdown, deadline, attempts, egress, warmStarts);
    }
}
