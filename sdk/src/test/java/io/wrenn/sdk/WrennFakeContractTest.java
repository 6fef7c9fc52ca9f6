package io.wrenn.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.sdk.testing.WrennFake;
import org.junit.jupiter.api.Test;

/** The SDK's contract, held by the in-memory fake users test with. */
class WrennFakeContractTest extends SdkContract {
    private final WrennFake fake = new WrennFake();

    @Override
    protected Wrenn wrenn() {
        return fake;
    }

    @Override
    protected String template() {
        return "minimal";
    }

    /** Beyond the contract: what a fake program writes to the console is served as the server serves it. */
    @Test
    void aProgramsConsoleOutputIsServedSafeForATerminalFromTheStartOfALine() {
        fake.onCommand("boot", process -> {
            process.console("\u001b[2J\u001b[1;31mKernel panic\u001b[0m\r\n\u0007not synced\tVFS\r\n");
            return 0;
        });
        try (Sandbox sandbox = fake.sandboxes().create(SandboxSpec.of("minimal"))) {
            assertThat(sandbox.console()).isEqualTo(new SandboxConsole("", false));
            sandbox.commands().run("boot");

            assertThat(sandbox.console()).isEqualTo(new SandboxConsole("Kernel panic\nnot synced\tVFS\n", false));
            assertThat(sandbox.console(20)).as("the partial first line is dropped")
                    .isEqualTo(new SandboxConsole("not synced\tVFS\n", true));
        }
    }
}
