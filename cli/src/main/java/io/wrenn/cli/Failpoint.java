package io.wrenn.cli;

import io.wrenn.hostagent.sandbox.SandboxManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A named step of a pause, resume or snapshot at which a host agent stops and waits to be
 * killed ({@code WRENN_FAILPOINT}; for crash tests only). On reaching it the agent writes the
 * step's name to {@code <home>/failpoint-reached} and the call never returns, so a test can
 * kill -9 the agent at exactly that step, with its VM and files as they are there.
 */
final class Failpoint implements SandboxManager.CrashPoints {

    static final String VARIABLE = "WRENN_FAILPOINT";

    private final String step;
    private final Path marker;

    Failpoint(String step, Path home) {
        this.step = step;
        this.marker = home.resolve("failpoint-reached");
    }

    @Override
    public void reached(String name) {
        if (!name.equals(step)) {
            return;
        }
        try {
            Files.writeString(marker, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.err.println("failpoint " + name + " reached: waiting to be killed");
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at failpoint " + name, e);
        }
    }
}
