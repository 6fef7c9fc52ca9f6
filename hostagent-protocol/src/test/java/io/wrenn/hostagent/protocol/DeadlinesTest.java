package io.wrenn.hostagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The order that makes a lost call safe, for the defaults and for any deadlines an operator sets. */
class DeadlinesTest {

    @Test
    void eachStepEndsBeforeTheCallThatAskedForItAndEachCallBeforeItsRowIsTakenOver() {
        for (Deadlines d : new Deadlines[] {Deadlines.DEFAULTS,
                new Deadlines(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(11))}) {
            assertThat(d.stateTransfer()).isLessThan(d.pauseCall());
            assertThat(d.pauseCall()).isLessThan(d.pauseGrace());
            assertThat(d.destroy()).isLessThan(d.stoppingGrace());
            assertThat(d.stateTransfer().multipliedBy(2)).isLessThan(d.snapshot());
            assertThat(d.snapshot()).isLessThan(d.snapshotGrace());
        }
    }

    @Test
    void deadlinesThatBreakTheOrderAreRefused() {
        assertThatThrownBy(() -> new Deadlines(Duration.ofMinutes(3), Duration.ofMinutes(3), Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Deadlines(Duration.ZERO, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
