package io.wrenn.cli.commands;

import io.wrenn.sdk.NetworkPolicy;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The network flags of {@code sandbox create} and {@code sandbox network}: each one given
 * replaces that part of the settings, the others stay. A picocli mixin.
 */
public final class NetworkOptions {
    @Option(names = "--internet", negatable = true,
            description = "internet access for addresses not listed (--no-internet: only --allow-out is reachable)")
    Boolean internet;

    @Option(names = "--allow-out", split = ",", paramLabel = "CIDR",
            description = "IPv4 addresses, CIDR blocks or domains (*.example.com) always reachable (replaces the list; '' empties it)")
    List<String> allowOut;

    @Option(names = "--deny-out", split = ",", paramLabel = "CIDR",
            description = "IPv4 addresses or CIDR blocks refused unless allowed (replaces the list; '' empties it)")
    List<String> denyOut;

    @Option(names = "--public-traffic", negatable = true,
            description = "the sandbox's ports answer without its traffic token (default: on)")
    Boolean publicTraffic;

    /** Whether any flag was given. */
    boolean given() {
        return internet != null || allowOut != null || denyOut != null || publicTraffic != null;
    }

    /** {@code base} with the parts the flags name replaced. */
    NetworkPolicy applyTo(NetworkPolicy base) {
        NetworkPolicy.Builder policy = base.toBuilder();
        if (internet != null) {
            policy.internet(internet);
        }
        if (allowOut != null) {
            policy.allowOut(nonBlank(allowOut));
        }
        if (denyOut != null) {
            policy.denyOut(nonBlank(denyOut));
        }
        if (publicTraffic != null) {
            policy.allowPublicTraffic(publicTraffic);
        }
        return policy.build();
    }

    private static List<String> nonBlank(List<String> entries) {
        return entries.stream().map(String::strip).filter(entry -> !entry.isEmpty()).toList();
    }
}
