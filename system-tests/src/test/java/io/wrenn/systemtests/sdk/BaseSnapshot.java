package io.wrenn.systemtests.sdk;

import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.Wrenn;
import io.wrenn.sdk.WrennException;

/**
 * The one cold boot of a test class: a {@code minimal} sandbox snapshotted into a template
 * every other sandbox of the class is restored from (sub-second instead of ~9 s each).
 */
final class BaseSnapshot {
    private static final int ATTEMPTS = 5;

    private BaseSnapshot() {
    }

    /**
     * Boots, snapshots and destroys the sandbox. A cold boot under TCG on a loaded machine
     * now and then times out on the host ({@code host_unavailable}, nothing left behind); it
     * is tried again, since what these tests check starts after it.
     */
    static void make(Wrenn wrenn, String name) {
        for (int attempt = 1; ; attempt++) {
            try (Sandbox cold = wrenn.sandboxes().create(SandboxSpec.of("minimal"))) {
                cold.snapshot(name);
                return;
            } catch (WrennException.ServerException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
