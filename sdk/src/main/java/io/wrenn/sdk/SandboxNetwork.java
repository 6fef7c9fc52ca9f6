package io.wrenn.sdk;

/**
 * A sandbox's network settings, read and changed live: a running sandbox takes a new egress
 * policy at once (connections already open stay open), a paused one resumes under it.
 *
 * <pre>{@code
 * sandbox.network().update(NetworkPolicy.builder().internet(false).allowOut("203.0.113.10").build());
 * long refused = sandbox.network().get().deniedConnections();
 * }</pre>
 */
public interface SandboxNetwork {

    /** The settings in force and the connections refused so far. */
    NetworkState get();

    /**
     * Replaces the whole settings object (what the policy leaves out takes the server's defaults).
     * Invalid settings are refused and change nothing.
     *
     * @param policy the new settings
     * @return the settings now in force
     * @throws WrennException.InvalidRequestException for an entry that is not an IPv4 address or CIDR block
     * @throws WrennException.ConflictException       when the sandbox is neither running nor paused
     */
    NetworkState update(NetworkPolicy policy);
}
