package io.wrenn.sdk.examples;

import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.NetworkPolicy;
import io.wrenn.sdk.NetworkState;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxEvent;
import io.wrenn.sdk.SandboxMetrics;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.Wrenn;
import java.io.PrintStream;

/**
 * A sandbox for untrusted code: no internet but one address, opened further while it runs;
 * then what it used and what happened to it.
 */
public final class LockedDownSandbox {
    private LockedDownSandbox() {
    }

    public static void main(String[] args) {
        try (Wrenn wrenn = Wrenn.fromEnv()) {
            run(wrenn, args.length > 0 ? args[0] : "minimal", System.out);
        }
    }

    /** Runs the example on {@code wrenn}; returns the addresses the sandbox may reach in the end. */
    public static String run(Wrenn wrenn, String template, PrintStream out) {
        NetworkPolicy onlyOneHost = NetworkPolicy.builder().internet(false).allowOut("203.0.113.10").build();
        try (Sandbox sandbox = wrenn.sandboxes().create(SandboxSpec.builder(template).network(onlyOneHost).build())) {
            NetworkState state = sandbox.network().get();
            out.println("internet " + state.policy().allowInternetAccess() + ", allowed " + state.policy().allowOut());

            // Live: the running sandbox may now reach a second network too.
            state = sandbox.network().update(state.policy().toBuilder().allowOut("198.51.100.0/24").build());
            String allowed = String.join(",", state.policy().allowOut());
            out.println("now allowed " + allowed);

            SandboxMetrics metrics = sandbox.metrics(MetricsRange.MINUTES_5);
            out.println(metrics.points().size() + " steps of " + metrics.step().toSeconds() + " s");
            for (SandboxEvent event : sandbox.logs(10)) {
                out.println(event.at() + " " + event.event());
            }
            return allowed;
        }
    }
}
