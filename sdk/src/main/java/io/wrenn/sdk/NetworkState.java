package io.wrenn.sdk;

/**
 * A sandbox's network settings in force, as the server answers them.
 *
 * @param policy             the settings (its {@code allowInternetAccess} is never null)
 * @param deniedConnections  connections refused since the sandbox last started or resumed (0 while paused)
 */
public record NetworkState(NetworkPolicy policy, long deniedConnections) {
}
