package io.wrenn.sdk.examples;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.Wrenn;
import java.io.PrintStream;
import java.time.Duration;

/**
 * A long-running process in the background: its output streamed to a callback, the client
 * disconnecting and reattaching by tag (the output printed meanwhile comes first), then stopping it.
 */
public final class StreamingCommand {
    private StreamingCommand() {
    }

    public static void main(String[] args) {
        try (Wrenn wrenn = Wrenn.fromEnv()) {
            run(wrenn, args.length > 0 ? args[0] : "minimal", System.out);
        }
    }

    /** Runs the example; returns the output seen after reattaching. */
    public static String run(Wrenn wrenn, String template, PrintStream out) {
        try (Sandbox sandbox = wrenn.sandboxes().create(SandboxSpec.of(template))) {
            CommandSpec worker = CommandSpec.builder("cat").tag("worker").background(true)
                    .onStdout(text -> out.print("live: " + text)).build();
            CommandHandle handle = sandbox.commands().start(worker);
            handle.sendStdin("job 1 done\n");
            handle.close(); // the process keeps running: it was started in the background

            StringBuilder seen = new StringBuilder();
            try (CommandHandle again = sandbox.commands().attach("worker",
                    CommandSpec.builder("cat").onStdout(seen::append).build())) {
                again.sendStdin("job 2 done\n");
                again.closeStdin();
                CommandResult result = again.waitFor(Duration.ofMinutes(1));
                out.println("worker " + again.pid() + " exited with " + result.exitCode());
            }
            out.print(seen);
            return seen.toString();
        }
    }
}
