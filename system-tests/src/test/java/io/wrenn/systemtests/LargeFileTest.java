package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import io.wrenn.testkit.WrennClient;
import io.wrenn.testkit.WrennFixture;

/**
 * A file of 512 MiB (more with {@code -Dwrenn.test.largeFileBytes}: the suite keeps to that for
 * its time under TCG; five times the heap bound and twice the guest's 256 MiB already show that
 * nothing holds it whole) goes into a sandbox and comes back byte for byte, while the live heap of
 * the whole Wrenn (control plane and host agent run in this JVM) stays flat: files stream
 * through every component and are never held whole.
 */
@TestInstance(Lifecycle.PER_CLASS)
@Tag("vm")
class LargeFileTest {
    private static final long SIZE = Long.getLong("wrenn.test.largeFileBytes", 512L << 20);
    private static final long HEAP_BOUND = 96L << 20;
    private static final long CHECK_EVERY = 256L << 20;

    private WrennFixture wrenn;
    private WrennClient api;
    private String sandbox;

    @BeforeAll
    void start() {
        wrenn = WrennFixture.start();
        api = wrenn.client();
        sandbox = api.createSandbox(Map.of("template", "minimal", "memory_mb", 256, "timeout_s", 3600, "disk_size_mb", 6144))
                .get("id").asString();
    }

    @AfterAll
    void stop() {
        if (wrenn != null) {
            wrenn.close();
        }
    }

    @Test
    void aFileLargerThanTheGuestsMemoryRoundTripsWithAFlatHeap() throws Exception {
        long baseline = liveHeap();
        AtomicLong maxGrowth = new AtomicLong();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        String path = "/v1/sandboxes/" + sandbox + "/files?path=/home/user/big.bin";

        WrennClient.Response upload = api.send(api.request(path)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(SIZE, sent, baseline, maxGrowth)), SIZE)));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(200);
        assertThat(upload.json().path("size").asLong()).isEqualTo(SIZE);

        MessageDigest received = MessageDigest.getInstance("SHA-256");
        HttpResponse<InputStream> download = java.net.http.HttpClient.newHttpClient()
                .send(api.request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(download.statusCode()).isEqualTo(200);
        long total = 0;
        long nextCheck = CHECK_EVERY;
        try (InputStream in = download.body()) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                received.update(buffer, 0, n);
                total += n;
                if (total >= nextCheck) {
                    maxGrowth.accumulateAndGet(liveHeap() - baseline, Math::max);
                    nextCheck += CHECK_EVERY;
                }
            }
        }
        assertThat(total).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        assertThat(maxGrowth.get()).as("live heap growth during the transfers").isLessThan(HEAP_BOUND);
    }

    /** {@code size} pseudo-random bytes, hashed as they are produced; checks the heap as it goes. */
    private static final class Generated extends InputStream {
        private final SplittableRandom random = new SplittableRandom(42);
        private final MessageDigest digest;
        private final long baseline;
        private final AtomicLong maxGrowth;
        private long left;
        private long nextCheck = CHECK_EVERY;
        private final long size;

        Generated(long size, MessageDigest digest, long baseline, AtomicLong maxGrowth) {
            this.size = size;
            this.left = size;
            this.digest = digest;
            this.baseline = baseline;
            this.maxGrowth = maxGrowth;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            digest.update(b, off, n);
            left -= n;
            if (size - left >= nextCheck) {
                maxGrowth.accumulateAndGet(liveHeap() - baseline, Math::max);
                nextCheck += CHECK_EVERY;
            }
            return n;
        }
    }

    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
