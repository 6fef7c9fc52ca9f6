package io.wrenn.envd.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OutputLogTest {
    private static OutputChunk chunk(int size, int fill) {
        byte[] data = new byte[size];
        java.util.Arrays.fill(data, (byte) fill);
        return new OutputChunk(OutputChunk.Stream.STDOUT, data);
    }

    @Test
    void aLateReaderGetsEverythingStillInTheWindow() throws Exception {
        var log = new OutputLog(1000);
        log.append(chunk(100, 1));
        log.append(chunk(100, 2));
        log.close();

        var cursor = log.cursorFromStart();
        assertThat(log.read(cursor, 0)).isInstanceOfSatisfying(OutputLog.Item.Data.class, d -> assertThat(d.chunk().data()[0]).isEqualTo((byte) 1));
        assertThat(log.read(cursor, 0)).isInstanceOfSatisfying(OutputLog.Item.Data.class, d -> assertThat(d.chunk().data()[0]).isEqualTo((byte) 2));
        assertThat(log.read(cursor, 0)).isInstanceOf(OutputLog.Item.End.class);
    }

    @Test
    void withoutAHoldingReaderTheOldestOutputIsDropped() throws Exception {
        var log = new OutputLog(250);
        for (int i = 1; i <= 5; i++) {
            log.append(chunk(100, i)); // never blocks
        }
        log.close();

        var cursor = log.cursorFromStart();
        assertThat(((OutputLog.Item.Data) log.read(cursor, 0)).chunk().data()[0]).isEqualTo((byte) 4);
        assertThat(((OutputLog.Item.Data) log.read(cursor, 0)).chunk().data()[0]).isEqualTo((byte) 5);
        assertThat(log.read(cursor, 0)).isInstanceOf(OutputLog.Item.End.class);
    }

    @Test
    void aHoldingReaderAppliesBackPressureAndMissesNothing() throws Exception {
        var log = new OutputLog(250);
        var holder = log.holdingCursorFromStart();
        var appended = new AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 1; i <= 10; i++) {
                    log.append(chunk(100, i));
                    appended.incrementAndGet();
                }
                log.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> appended.get() == 2 && writer.getState() == Thread.State.WAITING);
        for (int i = 1; i <= 10; i++) {
            var item = log.read(holder, 5_000);
            assertThat(((OutputLog.Item.Data) item).chunk().data()[0]).isEqualTo((byte) i);
        }
        assertThat(log.read(holder, 5_000)).isInstanceOf(OutputLog.Item.End.class);
        writer.join();
    }

    @Test
    void closingTheHoldingCursorReleasesTheWriter() throws Exception {
        var log = new OutputLog(150);
        var holder = log.holdingCursorFromStart();
        log.append(chunk(100, 1));
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                log.append(chunk(100, 2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> writer.getState() == Thread.State.WAITING);

        holder.close();

        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
    }

    @Test
    void anIdleReaderTimesOut() throws Exception {
        var log = new OutputLog(100);
        assertThat(log.read(log.cursorFromStart(), 10)).isInstanceOf(OutputLog.Item.Idle.class);
    }
}
