package io.wrenn.sdk.examples;

import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.Wrenn;
import java.io.PrintStream;
import java.time.Duration;

/** A sandbox, a file written into it, a program run on it; the sandbox is gone at the end. */
public final class HelloSandbox {
    private HelloSandbox() {
    }

    public static void main(String[] args) {
        try (Wrenn wrenn = Wrenn.fromEnv()) {
            run(wrenn, args.length > 0 ? args[0] : "minimal", System.out);
        }
    }

    /** Runs the example on {@code wrenn}; returns what the program printed. */
    public static String run(Wrenn wrenn, String template, PrintStream out) {
        SandboxSpec spec = SandboxSpec.builder(template).timeout(Duration.ofMinutes(5)).env("GREETING", "hello").build();
        try (Sandbox sandbox = wrenn.sandboxes().create(spec)) {
            sandbox.files().write("/home/user/names.txt", "Ada\nGrace\n");
            CommandResult result = sandbox.commands().run("cat /home/user/names.txt");
            out.print(result.stdout());
            out.println("exit code " + result.exitCode() + " in " + sandbox.id());
            return result.stdout();
        }
    }
}
