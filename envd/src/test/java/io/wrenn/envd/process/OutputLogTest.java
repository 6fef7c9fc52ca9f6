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

    /** Everything the cursor reads until the end, in order (reads may join chunks). */
    private static byte[] readToEnd(OutputLog log, OutputLog.Cursor cursor) throws InterruptedException {
        var all = new java.io.ByteArrayOutputStream();
        for (OutputLog.Item item = log.read(cursor, 5_000); !(item instanceof OutputLog.Item.End); item = log.read(cursor, 5_000)) {
            all.writeBytes(((OutputLog.Item.Data) item).chunk().data());
        }
        return all.toByteArray();
    }

    /** {@code count} bytes of each of {@code fills}, in order. */
    private static byte[] bytes(int count, int... fills) {
        var all = new java.io.ByteArrayOutputStream();
        for (int fill : fills) {
            all.writeBytes(chunk(count, fill).data());
        }
        return all.toByteArray();
    }

    @Test
    void aLateReaderGetsEverythingStillInTheWindow() throws Exception {
        var log = new OutputLog(1000);
        log.append(chunk(100, 1));
        log.append(chunk(100, 2));
        log.close();

        assertThat(readToEnd(log, log.cursorFromStart())).isEqualTo(bytes(100, 1, 2));
    }

    @Test
    void chunksAlreadyWaitingAreReadAsOneUpToTheLimitAndNeverAcrossStreams() throws Exception {
        var log = new OutputLog(1 << 20);
        log.append(chunk(100, 1));
        log.append(chunk(100, 2));
        log.append(new OutputChunk(OutputChunk.Stream.STDERR, new byte[] {9}));
        log.append(chunk(30_000, 3));
        log.append(chunk(30_000, 4));
        log.append(chunk(30_000, 5));
        log.close();

        var cursor = log.cursorFromStart();
        assertThat(((OutputLog.Item.Data) log.read(cursor, 0)).chunk()).satisfies(c -> {
            assertThat(c.stream()).isEqualTo(OutputChunk.Stream.STDOUT);
            assertThat(c.data()).isEqualTo(bytes(100, 1, 2));
        });
        assertThat(((OutputLog.Item.Data) log.read(cursor, 0)).chunk().stream()).isEqualTo(OutputChunk.Stream.STDERR);
        assertThat(((OutputLog.Item.Data) log.read(cursor, 0)).chunk().data()).as("up to the limit").isEqualTo(bytes(30_000, 3, 4));
        assertThat(((OutputLog.Item.Data) log.read(cursor, 0)).chunk().data()).isEqualTo(bytes(30_000, 5));
        assertThat(log.read(cursor, 0)).isInstanceOf(OutputLog.Item.End.class);
    }

    @Test
    void withoutAHoldingReaderTheOldestOutputIsDropped() throws Exception {
        var log = new OutputLog(250);
        for (int i = 1; i <= 5; i++) {
            log.append(chunk(100, i)); // never blocks
        }
        log.close();

        assertThat(readToEnd(log, log.cursorFromStart())).isEqualTo(bytes(100, 4, 5));
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
        assertThat(readToEnd(log, holder)).isEqualTo(bytes(100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
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
