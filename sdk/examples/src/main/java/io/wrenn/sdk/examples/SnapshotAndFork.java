package io.wrenn.sdk.examples;

import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.Template;
import io.wrenn.sdk.Wrenn;
import java.io.PrintStream;
import java.util.UUID;

/**
 * Prepare a sandbox once, snapshot it, start copies from the snapshot (restored, not booted),
 * and pause one to resume it later.
 */
public final class SnapshotAndFork {
    private SnapshotAndFork() {
    }

    public static void main(String[] args) {
        try (Wrenn wrenn = Wrenn.fromEnv()) {
            run(wrenn, args.length > 0 ? args[0] : "minimal", System.out);
        }
    }

    /** Runs the example; returns what the copy read from the prepared file. */
    public static String run(Wrenn wrenn, String template, PrintStream out) {
        String name = "example-" + UUID.randomUUID().toString().substring(0, 8);
        String seen;
        try (Sandbox prepared = wrenn.sandboxes().create(SandboxSpec.of(template))) {
            prepared.files().write("/home/user/model.txt", "weights v1");
            Template snapshot = prepared.snapshot(name);
            out.println("snapshot " + snapshot.name() + " of " + prepared.id());
            try (Sandbox copy = wrenn.sandboxes().create(SandboxSpec.of(snapshot.name()))) {
                seen = copy.files().readString("/home/user/model.txt");
                out.println("the copy " + copy.id() + " reads: " + seen);
                copy.pause();
                copy.resume();
                out.println("paused and resumed, still reads: " + copy.files().readString("/home/user/model.txt"));
            }
        }
        wrenn.templates().delete(name);
        return seen;
    }
}
