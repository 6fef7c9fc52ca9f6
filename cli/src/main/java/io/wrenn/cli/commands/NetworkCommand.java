package io.wrenn.cli.commands;

import io.wrenn.sdk.NetworkState;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.Wrenn;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code wrenn sandbox network}: shows a sandbox's network settings, or changes them live. */
@Command(name = "network", mixinStandardHelpOptions = true,
        description = {"Show a sandbox's network settings and refused connections;",
                "with flags, change them live (flags not given keep their value)."},
        footer = {"", "Examples:", "  wrenn sandbox network sb-…",
                "  wrenn sandbox network sb-… --no-internet --allow-out 203.0.113.10,198.51.100.0/24",
                "  wrenn sandbox network sb-… --deny-out ''   # empty the deny list",
                "  wrenn sandbox network sb-… --json"})
final class NetworkCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin NetworkOptions network;
    @Parameters(paramLabel = "SANDBOX") String id;

    static List<String[]> describe(NetworkState state) {
        var policy = state.policy();
        return List.of(new String[] {"internet", String.valueOf(policy.allowInternetAccess())},
                new String[] {"allow out", policy.allowOut().isEmpty() ? null : String.join(",", policy.allowOut())},
                new String[] {"deny out", policy.denyOut().isEmpty() ? null : String.join(",", policy.denyOut())},
                new String[] {"public traffic", String.valueOf(policy.allowPublicTraffic())},
                new String[] {"mask request host", policy.maskRequestHost()},
                new String[] {"denied connections", String.valueOf(state.deniedConnections())});
    }

    @Override
    public Integer call() {
        try (Wrenn wrenn = client.client()) {
            Sandbox sandbox = wrenn.sandboxes().connect(id);
            NetworkState state = sandbox.network().get();
            if (network.given()) {
                state = sandbox.network().update(network.applyTo(state.policy()));
            }
            output.value(state, describe(state));
        }
        return 0;
    }
}
