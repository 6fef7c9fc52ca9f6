package io.wrenn.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.sdk.examples.HelloSandbox;
import io.wrenn.sdk.examples.LockedDownSandbox;
import io.wrenn.sdk.examples.SnapshotAndFork;
import io.wrenn.sdk.examples.StreamingCommand;
import io.wrenn.sdk.testing.WrennFake;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The examples in sdk/examples run, against the fake (system-tests runs them against real VMs). */
class ExamplesTest {
    private final WrennFake wrenn = new WrennFake();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void helloSandbox() {
        assertThat(HelloSandbox.run(wrenn, "minimal", out)).isEqualTo("Ada\nGrace\n");
        assertThat(wrenn.sandboxes().list()).isEmpty();
    }

    @Test
    void streamingCommand() {
        assertThat(StreamingCommand.run(wrenn, "minimal", out)).isEqualTo("job 1 done\njob 2 done\n");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("exited with 0");
    }

    @Test
    void snapshotAndFork() {
        assertThat(SnapshotAndFork.run(wrenn, "minimal", out)).isEqualTo("weights v1");
        assertThat(wrenn.templates().list()).isEmpty();
    }

    @Test
    void lockedDownSandbox() {
        assertThat(LockedDownSandbox.run(wrenn, "minimal", out)).isEqualTo("203.0.113.10,198.51.100.0/24");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("internet false", "PUT /v1/sandboxes/{id}/network");
        assertThat(wrenn.sandboxes().list()).isEmpty();
    }
}
