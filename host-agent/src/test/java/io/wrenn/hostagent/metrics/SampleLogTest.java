package io.wrenn.hostagent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleLogTest {

    private static Sample sample(String id) {
        return new Sample(0, id, "team", 1000, 1, 1.5, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void aReaderGetsWhatCameAfterItsLastSequenceInBatches() {
        SampleLog log = new SampleLog(100);
        for (int i = 0; i < 5; i++) {
            log.append(sample("s" + i));
        }
        SampleLog.Batch first = log.read("", 0, 3);
        assertThat(first.samples()).extracting(Sample::sandboxId).containsExactly("s0", "s1", "s2");
        assertThat(first.more()).isTrue();
        SampleLog.Batch second = log.read(first.epoch(), first.samples().getLast().sequence(), 3);
        assertThat(second.samples()).extracting(Sample::sandboxId).containsExactly("s3", "s4");
        assertThat(second.more()).isFalse();
    }

    @Test
    void aReaderOfAnotherEpochReadsEverythingKept() {
        SampleLog log = new SampleLog(100);
        log.append(sample("a"));
        log.append(sample("b"));
        assertThat(log.read("an-earlier-agent", 2, 10).samples()).hasSize(2);
    }

    @Test
    void theOldestGoPastTheCapacity() {
        SampleLog log = new SampleLog(3);
        for (int i = 0; i < 10; i++) {
            log.append(sample("s" + i));
        }
        assertThat(log.read("", 0, 10).samples()).extracting(Sample::sandboxId).containsExactly("s7", "s8", "s9");
    }
}
