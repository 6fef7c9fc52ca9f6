package io.wrenn.cli;

import io.wrenn.hostagent.sandbox.SandboxManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Named steps of a pause, resume, snapshot, create (from a snapshot) or file upload at which a host agent stops ({@code WRENN_FAILPOINT};
 * for crash tests only). On reaching one the agent writes the step's name to
 * {@code <home>/failpoint-reached}, then:
 * <ul>
 *   <li>{@code step}: the call never returns, so a test can kill -9 the agent at exactly that step,
 *       with its VM and files as they are there;</li>
 *   <li>{@code hold:step1,step2}: the call waits there until the test deletes the file, then goes
 *       on, so a test can kill what called the agent (the control plane) while the host is mid-way,
 *       and let the host finish alone.</li>
 * </ul>
 */
final class Failpoint implements SandboxManager.CrashPoints {

    static final String VARIABLE = "WRENN_FAILPOINT";
    private static final String HOLD = "hold:";

    private final Set<String> steps;
    private final boolean hold;
    private final Path marker;

    Failpoint(String value, Path home) {
        this.hold = value.startsWith(HOLD);
        this.steps = Set.of((hold ? value.substring(HOLD.length()) : value).split(","));
        this.marker = home.resolve("failpoint-reached");
    }

    @Override
    public void reached(String name) {
        if (!steps.contains(name)) {
            return;
        }
        try {
            Files.writeString(marker, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (hold) {
                System.err.println("failpoint " + name + " reached: held until " + marker + " is deleted");
                while (Files.exists(marker)) {
                    Thread.sleep(50);
                }
                return;
            }
            System.err.println("failpoint " + name + " reached: waiting to be killed");
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at failpoint " + name, e);
        }
    }
}
